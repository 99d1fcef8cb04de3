import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFlowSet, FlowError, loadFlows } from './flows.js';
import { step, type SessionState } from './step.js';
import type { Flow } from './flow.schema.js';

const flows = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)));
const fresh: SessionState = { v: 1, at: 'language:choose', lang: null, updatedAt: 0 };
const zh: SessionState = { ...fresh, at: 'main:menu', lang: 'zh-CN' };
const keysOf = (r: ReturnType<typeof step>) => r.replies.flatMap((x) => x.say.map((s) => s.key));

describe('engine step', () => {
  it('greets a newcomer in both languages with the language choice', () => {
    const r = step(flows, fresh, { kind: 'start' }, { now: 1 });
    expect(r.state.at).toBe('language:choose');
    expect(r.replies[0]?.say[0]).toEqual({ key: 'language:greeting', lang: 'both' });
    expect(r.replies[0]?.choices.map((c) => c.id)).toEqual([
      'language:choose#zh',
      'language:choose#bo',
    ]);
  });

  it('choosing Tibetan sets the language and lands on the menu', () => {
    const r = step(flows, fresh, { kind: 'choice', id: 'language:choose#bo' }, { now: 1 });
    expect(r.state.lang).toBe('bo');
    expect(r.state.at).toBe('main:menu');
    expect(r.effects).toEqual([{ type: 'setLanguage', lang: 'bo' }]);
    expect(r.replies.at(-1)?.choices).toHaveLength(10);
  });

  it('typing in Tibetan script on first contact picks Tibetan', () => {
    const r = step(flows, fresh, { kind: 'text', text: 'བཀྲ་ཤིས་བདེ་ལེགས།', script: 'bo' }, { now: 1 });
    expect(r.state.lang).toBe('bo');
    expect(keysOf(r)).toContain('main:welcome');
  });

  it('text with no script on first contact asks for the language', () => {
    const r = step(flows, fresh, { kind: 'text', text: 'hi', script: null }, { now: 1 });
    expect(r.state.at).toBe('language:choose');
    expect(r.state.lang).toBeNull();
  });

  it('free text no flow waits for is the policy Q&A’s: a named action, nothing said, nowhere moved', () => {
    const r = step(flows, zh, { kind: 'text', text: '失业金怎么领', script: 'zh-CN' }, { now: 1 });
    expect(r.action).toEqual({ kind: 'qa', text: '失业金怎么领' });
    expect(r.replies).toEqual([]);
    expect(r.state.at).toBe('main:menu');
    // The policy node marks it explicitly (`input: {qa: true}`).
    const policy = { ...zh, at: 'policy:ask' };
    expect(
      step(flows, policy, { kind: 'text', text: '创业贷款', script: 'zh-CN' }, { now: 1 }).action,
    ).toEqual({
      kind: 'qa',
      text: '创业贷款',
    });
  });

  it('empty text gets short help and the menu, never silence', () => {
    const r = step(flows, zh, { kind: 'text', text: '  ', script: null }, { now: 1 });
    expect(keysOf(r)).toEqual(['main:notUnderstood', 'main:menu.prompt']);
    expect(r.state.at).toBe('main:menu');
    expect(r.action).toBeUndefined();
  });

  it('a node with a question for the policy cards names it as its action', () => {
    const node = [...flows.flows.values()]
      .flatMap((f) => Object.entries(f.nodes).map(([id, n]) => ({ ref: `${f.id}:${id}`, n })))
      .find((x) => x.n.ask);
    expect(node).toBeDefined();
    const r = step(flows, zh, { kind: 'goto', node: node!.ref }, { now: 1 });
    expect(r.action).toEqual({ kind: 'ask', key: node!.n.ask });
  });

  it('a person back after a while is welcomed back instead of "not understood"', () => {
    const r = step(flows, zh, { kind: 'choice', id: 'main:menu#gone' }, { now: 1, resumed: true });
    expect(keysOf(r)[0]).toBe('main:welcomeBack');
    const now = step(flows, zh, { kind: 'choice', id: 'main:menu#gone' }, { now: 1 });
    expect(keysOf(now)[0]).toBe('main:notUnderstood');
  });

  it('interview practice: the answer to a question is followed by a model answer and the next question', () => {
    let s = step(flows, zh, { kind: 'choice', id: 'main:menu#interview' }, { now: 1 }).state;
    s = step(flows, s, { kind: 'choice', id: 'interview:start#practice' }, { now: 2 }).state;
    expect(s.at).toBe('interview:q1');
    const r = step(
      flows,
      s,
      { kind: 'text', text: '我叫卓玛，做过十年保洁', script: 'zh-CN' },
      { now: 3 },
    );
    expect(keysOf(r)).toEqual(['interview:practice.model1', 'interview:practice.q2']);
    expect(r.state.at).toBe('interview:q2');
  });

  it('an old button still means what it said', () => {
    const r = step(
      flows,
      { ...zh, at: 'cv:tips' },
      { kind: 'choice', id: 'main:menu#training' },
      { now: 1 },
    );
    expect(r.state.at).toBe('training:start');
  });

  it('an unknown choice id falls back to help, not a crash', () => {
    const r = step(flows, zh, { kind: 'choice', id: 'nope:nothing#x' }, { now: 1 });
    expect(r.state.at).toBe('main:menu');
  });

  it('outreach stop and resume are effects for the conversation layer', () => {
    expect(
      step(flows, zh, { kind: 'goto', node: 'main:outreach-stop' }, { now: 1 }).effects,
    ).toEqual([{ type: 'outreach', optOut: true }]);
  });

  it('is pure: the input state is not modified', () => {
    const before = structuredClone(zh);
    step(flows, zh, { kind: 'choice', id: 'main:menu#career' }, { now: 99 });
    expect(zh).toEqual(before);
  });
});

describe('flow validation', () => {
  it('rejects a dangling node reference at boot', () => {
    const broken = new Map(flows.flows as Map<string, Flow>);
    const main = structuredClone(broken.get('main')!);
    main.nodes.help = { say: ['main:help'], next: 'nowhere' };
    broken.set('main', main);
    expect(() => buildFlowSet(broken)).toThrow(FlowError);
    expect(() => buildFlowSet(broken)).toThrow(/main:help → missing node nowhere/);
  });

  it('rejects a missing required node', () => {
    const broken = new Map(flows.flows as Map<string, Flow>);
    broken.delete('language');
    expect(() => buildFlowSet(broken)).toThrow(/language:choose/);
  });
});
