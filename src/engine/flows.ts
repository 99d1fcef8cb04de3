import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowSchema, type Flow, type FlowNode } from './flow.schema.js';

/** All flows, by id, validated and with every node reference resolved. */
export interface FlowSet {
  flows: ReadonlyMap<string, Flow>;
  node(ref: string): FlowNode | undefined;
  /** Every i18n key any flow uses (for the locale completeness test). */
  keys(): string[];
}

/** The nodes the conversation layer relies on; boot fails when one is missing. */
export const REQUIRED_NODES = [
  'language:choose',
  'main:welcome',
  'main:menu',
  'main:help',
  'main:not-understood',
  'main:welcome-back',
  'main:media',
  'main:human',
  'main:voice',
  'main:handoff-done',
  'main:thanks',
  'policy:ask',
  'psych:distress',
  'psych:start',
  'main:complaint',
  'main:complaint-filed',
  'jobs:menu',
  'jobs:subscribe',
  'jobs:subscribe-ask',
  'jobs:list',
  'jobs:unsubscribe',
  'jobs:recommend',
  'privacy:mydata',
  'privacy:delete',
  'privacy:link',
  'intake:start',
  'assess:start',
  'main:outreach-stop',
  'main:outreach-resume',
  // The action plan and "I found a job": privacy:me leads there, pressed reminders land here.
  'intake:consent',
  'plan:consent',
  'employment:consent',
  'plan:start',
  'plan:show',
  'plan:write',
  'plan:full',
  'plan:reminder-done',
  'plan:reminder-not-yet',
  'plan:reminder-unknown',
  'employment:start',
  'employment:q-employer',
  'employment:still',
  'employment:left',
  'employment:unknown',
] as const;

export class FlowError extends Error {
  override readonly name = 'FlowError';
}

export function loadFlows(dir: string): FlowSet {
  const flows = new Map<string, Flow>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const parsed = flowSchema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new FlowError(`flows/${file}: ${why}`);
    }
    if (`${parsed.data.id}.json` !== file)
      throw new FlowError(`flows/${file}: id must match file name`);
    flows.set(parsed.data.id, parsed.data);
  }
  return buildFlowSet(flows);
}

export function buildFlowSet(flows: Map<string, Flow>): FlowSet {
  // Own properties only: `nodes[id]` would find `constructor` and `__proto__` (a card whose
  // flow was `main:constructor` answered every press with a 500).
  const nodeMaps = new Map(
    [...flows].map(([id, flow]) => [id, new Map(Object.entries(flow.nodes))] as const),
  );
  const node = (ref: string) => {
    const [flowId, nodeId, extra] = ref.split(':');
    return nodeId === undefined || extra !== undefined
      ? undefined
      : nodeMaps.get(flowId ?? '')?.get(nodeId);
  };
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const flow of flows.values()) {
    for (const [id, n] of Object.entries(flow.nodes)) {
      const here = `${flow.id}:${id}`;
      const refs = [
        n.next,
        n.input && 'next' in n.input ? n.input.next : undefined,
        ...(n.choices ?? []).map((c) => c.next),
      ];
      for (const r of refs)
        if (r && !node(qualify(flow.id, r))) problems.push(`${here} → missing node ${r}`);
      for (const s of n.say) keys.add(typeof s === 'string' ? s : s.key);
      for (const c of n.choices ?? []) keys.add(c.label);
      if (n.ask) keys.add(n.ask);
      const ids = (n.choices ?? []).map((c) => c.id);
      if (new Set(ids).size !== ids.length) problems.push(`${here}: duplicate choice ids`);
      if (n.input && n.next)
        problems.push(`${here}: a node cannot both wait for input and continue`);
    }
  }
  for (const r of REQUIRED_NODES) if (!node(r)) problems.push(`required node ${r} is missing`);
  if (problems.length > 0) throw new FlowError(`Invalid flows:\n  ${problems.join('\n  ')}`);
  return { flows, node, keys: () => [...keys].sort() };
}

/** `node` in flow `flowId` → `flowId:node`; already qualified refs are returned unchanged. */
export function qualify(flowId: string, ref: string): string {
  return ref.includes(':') ? ref : `${flowId}:${ref}`;
}
