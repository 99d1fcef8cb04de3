import type { Lang } from '../messaging/lang.js';
import { splitText } from '../lib/split-text.js';
import type { Effect, FlowNode, RouteName, SayItem } from './flow.schema.js';
import { qualify, type FlowSet } from './flows.js';

/** Session state kept in Redis between turns. */
export interface SessionState {
  v: 1;
  /** Current node, `flow:node`. */
  at: string;
  /** Chosen language; null until the person picks one (or writes in one script). */
  lang: Lang | null;
  updatedAt: number;
  /** A questionnaire's answers so far (question id → value), until it ends. */
  answers?: Record<string, string> | undefined;
  /** Free text kept for a later node's effect (a plan step, an employer), by the node's name. */
  draft?: Record<string, string> | undefined;
}

/** The longest draft kept (a plan step, an employer's name). */
export const DRAFT_MAX = 200;

export type EngineInput =
  | { kind: 'start' }
  /** `args`: what followed a command or keyword (`/complaint <text>`, `订阅岗位 保安`). */
  | { kind: 'goto'; node: string; args?: string }
  | { kind: 'setLanguage'; lang: Lang }
  | { kind: 'choice'; id: string }
  | { kind: 'text'; text: string; script: Lang | null }
  | { kind: 'media' };

export interface ReplyChoice {
  /** `flow:node#choice`, so a button pressed later still means what it said. */
  id: string;
  label: string;
  labelLang?: Lang;
}

/** One node's worth of output: keys to say, then the choices offered. */
export interface Reply {
  say: { key: string; lang?: Lang | 'both' }[];
  choices: ReplyChoice[];
}

/**
 * What the conversation layer does next for the engine, beyond saying: answer the text from
 * the policy cards (`qa`: free text where no flow waits for it, or a node marked
 * `input: {qa: true}`), or ask them the question a node names (`ask`).
 */
export type StepAction =
  | { kind: 'qa'; text: string }
  | { kind: 'ask'; key: string }
  /** The node names a route: the conversation layer picks the next node from what it knows. */
  | { kind: 'route'; name: RouteName };

export interface StepResult {
  state: SessionState;
  replies: Reply[];
  effects: Effect[];
  action?: StepAction;
}

export interface StepContext {
  now: number;
  /** The person came back after the session expired: a greeting beats "not understood". */
  resumed?: boolean;
}

const MAX_HOPS = 8;
/** `route`'s answer when the text goes to the policy Q&A (no node is visited). */
const QA = '';

/** The pure conversation step: (state, input) → (state, what to say, effects to apply). */
export function step(
  flows: FlowSet,
  state: SessionState,
  input: EngineInput,
  ctx: StepContext,
): StepResult {
  const out: StepResult = { state: { ...state, updatedAt: ctx.now }, replies: [], effects: [] };
  const target = route(flows, out, input, ctx);
  if (target === QA) return out;
  visit(flows, out, target);
  const reached = flows.node(out.state.at);
  if (reached?.ask) out.action = { kind: 'ask', key: reached.ask };
  else if (reached?.route) out.action = { kind: 'route', name: reached.route };
  return out;
}

/** Decides which node the input leads to, applying choice effects on the way. */
function route(flows: FlowSet, out: StepResult, input: EngineInput, ctx: StepContext): string {
  const current = flows.node(out.state.at);
  switch (input.kind) {
    case 'start':
      return out.state.lang ? 'main:welcome' : 'language:choose';
    case 'goto':
      // A command works before a language is chosen too (it is answered in both, or in the
      // language the channel hints); the language stays unchosen until the person picks one.
      return flows.node(input.node) ? input.node : 'main:menu';
    case 'media':
      return out.state.lang ? 'main:media' : 'language:choose';
    case 'setLanguage':
      applyEffects(out, [{ type: 'setLanguage', lang: input.lang }]);
      return 'language:chosen';
    case 'choice': {
      const [ref, choiceId] = input.id.includes('#')
        ? input.id.split('#')
        : [out.state.at, input.id];
      const node = flows.node(ref ?? '');
      const choice = node?.choices?.find((c) => c.id === choiceId);
      if (!choice || !ref) return notUnderstood(out, ctx);
      applyEffects(out, choice.effects);
      return qualify(flowOf(ref), choice.next);
    }
    case 'text': {
      if (out.state.lang === null) {
        if (!input.script) return 'language:choose';
        applyEffects(out, [{ type: 'setLanguage', lang: input.script }]);
        return 'main:welcome';
      }
      if (current?.input && 'next' in current.input) {
        // An intake answer in the person's words (stored only with consent, cut at a safe place
        // if long: see src/journey/profile.service.ts).
        const text = input.text.trim();
        if (current.input.save && text.length > 0)
          out.effects.push({ type: 'profile', field: current.input.save, value: text });
        if (current.input.draft && text.length > 0)
          out.state.draft = { ...out.state.draft, [current.input.draft]: draftOf(text) };
        return qualify(flowOf(out.state.at), current.input.next);
      }
      // Free text where no flow waits for it (or a node marked `input: {qa: true}`): the policy
      // Q&A answers it. (A typed number was read as its choice before the engine.)
      if (input.text.trim().length === 0) return notUnderstood(out, ctx);
      out.action = { kind: 'qa', text: input.text };
      return QA;
    }
  }
}

function notUnderstood(out: StepResult, ctx: StepContext): string {
  if (out.state.lang === null) return 'language:choose';
  return ctx.resumed ? 'main:welcome-back' : 'main:not-understood';
}

function visit(flows: FlowSet, out: StepResult, start: string): void {
  let ref: string | undefined = start;
  for (let hop = 0; ref && hop < MAX_HOPS; hop++) {
    const node = flows.node(ref);
    if (!node) break;
    out.state.at = ref;
    forgetDraft(out, node);
    applyEffects(out, node.effects);
    const flowId = flowOf(ref);
    out.replies.push({
      say: node.say.map(toSaid),
      choices: (node.choices ?? []).map((c) => ({
        id: `${ref}#${c.id}`,
        label: c.label,
        ...(c.labelLang ? { labelLang: c.labelLang } : {}),
      })),
    });
    ref = node.next ? qualify(flowId, node.next) : undefined;
  }
}

function applyEffects(out: StepResult, effects: Effect[] | undefined): void {
  for (const e of effects ?? []) {
    if (e.type === 'setLanguage') out.state.lang = e.lang;
    if (e.type === 'answer') out.state.answers = { ...out.state.answers, [e.q]: e.value };
    out.effects.push(e);
  }
}

/** A node that asks for a draft asks anew: what was written for it before no longer counts. */
function forgetDraft(out: StepResult, node: FlowNode): void {
  const name = node.input && 'draft' in node.input ? node.input.draft : undefined;
  if (!name || !out.state.draft || !Object.hasOwn(out.state.draft, name)) return;
  const rest = Object.fromEntries(Object.entries(out.state.draft).filter(([k]) => k !== name));
  out.state.draft = Object.keys(rest).length > 0 ? rest : undefined;
}

/** One line, at most DRAFT_MAX characters, never cut inside a Tibetan stack. */
const draftOf = (text: string) => splitText(text.replace(/\s+/g, ' '), DRAFT_MAX)[0] ?? '';

const toSaid = (s: SayItem) => (typeof s === 'string' ? { key: s } : s);
const flowOf = (ref: string) => ref.split(':')[0] ?? '';
