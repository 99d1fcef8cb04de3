import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFlows } from './flows.js';
import { step, type SessionState } from './step.js';

const flows = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)));
const at = (node: string, draft?: Record<string, string>): SessionState => ({
  v: 1,
  at: node,
  lang: 'zh-CN',
  updatedAt: 0,
  ...(draft ? { draft } : {}),
});
const text = (t: string) => ({ kind: 'text' as const, text: t, script: 'zh-CN' as const });

describe('drafts: free text a later node’s effect uses', () => {
  it('keeps the text under the node’s name and moves on', () => {
    const r = step(flows, at('plan:write'), text('去人力资源市场'), { now: 1 });
    expect(r.state.at).toBe('plan:when');
    expect(r.state.draft).toEqual({ plan: '去人力资源市场' });
    expect(r.effects).toEqual([]);
  });

  it('keeps one line of at most 200 characters', () => {
    const r = step(flows, at('plan:write'), text(`第一行\n第二行 ${'长'.repeat(400)}`), { now: 1 });
    expect(r.state.draft?.plan?.length).toBeLessThanOrEqual(200);
    expect(r.state.draft?.plan?.startsWith('第一行 第二行')).toBe(true);
  });

  it('asking again forgets what was written before; other drafts stay', () => {
    const r = step(
      flows,
      at('employment:q-work', { employer: '旧单位', work: '旧工作' }),
      {
        kind: 'goto',
        node: 'employment:q-employer',
      },
      { now: 1 },
    );
    expect(r.state.draft).toEqual({ work: '旧工作' });
    const skipped = step(
      flows,
      r.state,
      { kind: 'choice', id: 'employment:q-employer#skip' },
      {
        now: 1,
      },
    );
    expect(skipped.state.at).toBe('employment:q-work');
    expect(skipped.state.draft).toBeUndefined();
  });

  it('the choice that uses it carries the effect (the conversation layer reads the draft)', () => {
    const r = step(
      flows,
      at('plan:when', { plan: '去面试' }),
      { kind: 'choice', id: 'plan:when#1w' },
      {
        now: 1,
      },
    );
    expect(r.effects).toEqual([{ type: 'plan', in: '1w' }]);
    expect(r.state.draft).toEqual({ plan: '去面试' });
    expect(r.state.at).toBe('plan:added');
  });
});
