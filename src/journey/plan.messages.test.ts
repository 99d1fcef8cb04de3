import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n.js';
import type { EmploymentDoc, PlanStepDoc } from '../people/person.model.js';
import { followupMessage, parsePress, reminderMessage } from './plan.messages.js';

const tr = createTranslator(fileURLToPath(new URL('../../locales', import.meta.url)));
const step: PlanStepDoc = {
  id: '0123456789ab',
  text: '去人力资源市场看招聘信息',
  due: new Date('2026-05-08T02:00:00Z'),
  createdAt: new Date('2026-05-05T02:00:00Z'),
  by: 'person',
};
const record: EmploymentDoc = { at: new Date('2026-05-05T02:00:00Z'), followups: [] };

describe('pushed buttons of the journey', () => {
  it('a reminder says the step and its day, with done / not yet', () => {
    const zh = reminderMessage(tr, 'zh-CN', step);
    expect(zh.text).toBe('提醒：您计划“去人力资源市场看招聘信息”（5月8日），完成了吗？');
    expect(zh.choices?.map((c) => c.label)).toEqual(['已完成', '还没有']);
    const bo = reminderMessage(tr, 'bo', step);
    expect(bo.text).toContain('དྲན་སྐུལ');
    expect(bo.text).toContain('ཟླ་༥ ཚེས་༨');
    expect(bo.choices?.map((c) => parsePress(c.id))).toEqual([
      { kind: 'plan', stepId: step.id, answer: 'done' },
      { kind: 'plan', stepId: step.id, answer: 'not' },
    ]);
  });

  it('a follow-up asks about the job, its buttons name the record and the month', () => {
    const m = followupMessage(tr, 'zh-CN', record, 3);
    expect(m.text).toContain('3 个月前');
    expect(m.text).toContain('您还在这份工作吗？');
    const presses = m.choices?.map((c) => parsePress(c.id));
    expect(presses?.map((p) => p?.kind === 'employment' && [p.months, p.answer])).toEqual([
      [3, 'still'],
      [3, 'left'],
      [3, 'help'],
    ]);
    // Telegram's callback_data and the web chat's choice hold at most 64 bytes.
    for (const c of [...(m.choices ?? []), ...(reminderMessage(tr, 'bo', step).choices ?? [])])
      expect(Buffer.byteLength(c.id)).toBeLessThanOrEqual(64);
  });

  it('reads nothing else as a press', () => {
    for (const id of [
      'jny#p:0123456789ab:maybe',
      'jny#p:xyz:done',
      'jny#e:abc:2:still',
      'jny#e:abc:1:quit',
      'jny#x',
      'case#r:0123456789abcdef01234567:5',
      'plan:when#3d',
    ])
      expect(parsePress(id), id).toBeUndefined();
  });
});
