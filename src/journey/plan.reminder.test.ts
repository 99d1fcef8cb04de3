import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n.js';
import { parseQuietHours } from '../lib/quiet-hours.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { PlanStepDoc } from '../people/person.model.js';
import { remindStep } from './plan.reminder.js';
import type { PlanService, ReminderView } from './plan.service.js';

const translator = createTranslator(fileURLToPath(new URL('../../locales', import.meta.url)));
const due = new Date('2026-05-08T02:00:00Z'); // 10:00 in Lhasa
const step: PlanStepDoc = {
  id: '0123456789ab',
  text: '去面试',
  due,
  createdAt: new Date('2026-05-05T02:00:00Z'),
  by: 'person',
};

/** remindStep with a plan of one step, a clock, and what was pushed or held. */
async function run(view: Partial<ReminderView> | null, now: Date, reachable = true) {
  const pushed: OutgoingMessage[] = [];
  const held: number[] = [];
  const reminded: Date[] = [];
  const plans: Pick<PlanService, 'reminderOf' | 'reminded'> = {
    reminderOf: async () => (view ? { step, lang: 'zh-CN', consented: true, ...view } : null),
    reminded: async (_p, _s, at) => {
      reminded.push(at);
    },
  };
  const outcome = await remindStep(
    {
      plans,
      translator,
      quietHours: parseQuietHours('22:00-08:00'),
      now: () => now,
      push: async (_personId, _lang, message) => {
        pushed.push(message);
        return reachable;
      },
      hold: async (ms) => {
        held.push(ms);
      },
    },
    { personId: 'p', stepId: step.id },
  );
  return { outcome, pushed, held, reminded };
}

describe('an action-plan reminder', () => {
  it('goes at its time, once, and is recorded', async () => {
    const r = await run({}, new Date(due.getTime() + 1000));
    expect(r.outcome).toBe('sent');
    expect(r.pushed[0]?.text).toContain('提醒：您计划“去面试”');
    expect(r.reminded).toHaveLength(1);
  });

  it('waits for its time when taken early, and for the end of quiet hours', async () => {
    const early = await run({}, new Date(due.getTime() - 3_600_000));
    expect(early).toMatchObject({ outcome: 'held', held: [3_600_000], pushed: [] });
    // 23:00 in Lhasa the same day: nine hours to 08:00.
    const quiet = await run({}, new Date('2026-05-08T15:00:00Z'));
    expect(quiet).toMatchObject({ outcome: 'held', held: [9 * 3_600_000], pushed: [] });
  });

  it('says nothing for a step done, reminded, gone, or a person without consent', async () => {
    const later = new Date(due.getTime() + 1000);
    for (const view of [
      { step: { ...step, doneAt: due } },
      { step: { ...step, remindedAt: due } },
      { consented: false },
      null,
    ]) {
      const r = await run(view, later);
      expect(r.outcome).toBe('skipped');
      expect(r.pushed).toEqual([]);
    }
  });

  it('records nothing when no chat can reach the person', async () => {
    const r = await run({}, new Date(due.getTime() + 1000), false);
    expect(r.outcome).toBe('unreachable');
    expect(r.reminded).toEqual([]);
  });
});
