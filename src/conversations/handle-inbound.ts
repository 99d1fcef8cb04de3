import type { Logger } from 'pino';
import type {
  InboundEvent,
  InboundHandler,
  InboundInput,
  Lang,
  OutgoingMessage,
} from '../channels/channel.js';
import type { Effect } from '../engine/flow.schema.js';
import type { FlowSet } from '../engine/flows.js';
import { step } from '../engine/step.js';
import type { Translator } from '../i18n.js';
import { detectDistress } from '../knowledge/distress.js';
import type { KnowledgeIndex } from '../knowledge/index.js';
import { normalizeInput } from '../lib/normalize.js';
import { detectScript } from '../lib/script.js';
import type { MessageRepo } from '../messages/message.repo.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import type { IntentMatcher } from './intents.js';
import {
  answerQuestion,
  handleKbChoice,
  KB_CHOICE,
  type QaContext,
  type QaOutcome,
} from './qa-turn.js';
import { renderReplies } from './render-replies.js';
import type { Session, SessionStore } from './session.store.js';

export interface ConversationDeps {
  flows: FlowSet;
  translator: Translator;
  intents: IntentMatcher;
  sessions: SessionStore;
  people: PersonRepo;
  messages: MessageRepo;
  questions: QuestionRepo;
  /** The policy-card index in use now (reloaded live when cards change). */
  knowledge: () => KnowledgeIndex;
  log: Logger;
  metrics?: Pick<Metrics, 'turns' | 'turnSeconds' | 'questions'>;
  now?: () => number;
  /** After this long without a message, the person comes back to the menu. */
  resumeAfterMs?: number;
}

const DEFAULT_RESUME_MS = 6 * 60 * 60 * 1000;

interface TurnResult {
  session: Session;
  replies: OutgoingMessage[];
  effects: Effect[];
}

/**
 * handle-inbound: lock → session → intents → policy Q&A or engine → effects → log → outgoing
 * messages (returned to the adapter, which renders and sends them).
 */
export function createInboundHandler(deps: ConversationDeps): InboundHandler {
  const now = deps.now ?? Date.now;
  const resumeAfter = deps.resumeAfterMs ?? DEFAULT_RESUME_MS;

  const handle: InboundHandler = (event) =>
    deps.sessions.withSession(`${event.channel}:${event.chatId}`, async (current) => {
      const started = now();
      const input = normalizeEvent(event);
      const { session, resumed } = await loadSession(deps, event, current, started, resumeAfter);
      const turn = await runTurn(deps, event, session, input, started, resumed);

      for (const effect of turn.effects) {
        if (effect.type === 'setLanguage') {
          // The profile already has it when the session does (a choice pressed twice).
          if (effect.lang !== current?.lang)
            await deps.people.setLanguage(session.personId, effect.lang);
        } else await deps.people.setOutreachOptOut(session.personId, effect.optOut);
      }
      const offered = turn.replies.at(-1)?.choices?.map((c) => c.id);
      const { offered: _old, ...rest } = turn.session;
      const next: Session = {
        ...rest,
        updatedAt: started,
        ...(offered && offered.length > 0 ? { offered } : {}),
      };
      const at = new Date(started);
      // The log is written in the background (group commit): the reply never waits for it.
      deps.messages
        .append(session.personId, event.channel, [
          { from: 'person', text: describeInput(input, session, deps), at },
          ...turn.replies.map((r) => ({
            from: 'assistant' as const,
            text: r.text,
            at: new Date(started + 1),
          })),
        ])
        .catch((err: unknown) =>
          deps.log.error({ err, personId: session.personId }, 'conversation log write failed'),
        );
      deps.log.debug(
        {
          channel: event.channel,
          messageId: event.messageId,
          personId: session.personId,
          node: turn.session.at,
        },
        'turn handled',
      );
      return { next, result: turn.replies };
    });

  return async (event) => {
    const end = deps.metrics?.turnSeconds.startTimer({ channel: event.channel });
    try {
      const replies = await handle(event);
      deps.metrics?.turns.inc({ channel: event.channel, outcome: 'ok' });
      return replies;
    } catch (err) {
      deps.metrics?.turns.inc({ channel: event.channel, outcome: 'error' });
      throw err;
    } finally {
      end?.();
    }
  };
}

/** One turn: free text goes to the policy cards unless a flow is waiting for it. */
async function runTurn(
  deps: ConversationDeps,
  event: InboundEvent,
  session: Session,
  input: InboundInput,
  now: number,
  resumed: boolean,
): Promise<TurnResult> {
  const script = input.kind === 'text' ? detectScript(input.text) : null;
  const replyLang: Lang | 'both' = script ?? session.lang ?? 'both';
  let engineInput = deps.intents.toEngineInput(input);
  if (engineInput.kind === 'text') {
    const picked = pickOffered(session.offered, engineInput.text);
    if (picked) engineInput = { kind: 'choice', id: picked };
  }

  const effects: Effect[] = [];
  let state: Session = session;
  // A newcomer's first words in one script pick that language.
  const firstContact = session.lang === null && script !== null;
  if (firstContact) {
    effects.push({ type: 'setLanguage', lang: script });
    state = { ...state, lang: script };
    if (engineInput.kind === 'goto' && engineInput.node === 'main:welcome-back')
      engineInput = { kind: 'goto', node: 'main:welcome' };
  }
  const qaLang = replyLang === 'both' ? null : replyLang;
  const ctx = (lang: Lang): QaContext => ({
    personId: session.personId,
    channel: event.channel,
    lang,
    now: new Date(now),
    ...(session.lastQuestion ? { lastQuestion: session.lastQuestion } : {}),
  });

  let qa: QaOutcome | undefined;
  if (engineInput.kind === 'choice' && engineInput.id.startsWith(KB_CHOICE)) {
    qa = await handleKbChoice(deps, ctx(qaLang ?? 'zh-CN'), engineInput.id);
  } else if (
    engineInput.kind === 'text' &&
    qaLang &&
    wantsQa(deps.flows, session, engineInput.text)
  ) {
    qa = await answerQuestion(deps, ctx(qaLang), engineInput.text);
    // A first message we cannot answer gets the welcome and the menu rather than an apology.
    if (firstContact && qa.kind === 'replies' && qa.declined)
      qa = { kind: 'engine', input: { kind: 'goto', node: 'main:welcome' } };
  }
  if (qa?.kind === 'engine') {
    engineInput = qa.input;
    qa = undefined;
  }
  if (qa) {
    return {
      session: {
        ...state,
        at: qa.at,
        ...(qa.lastQuestion ? { lastQuestion: qa.lastQuestion } : {}),
      },
      replies: qa.replies,
      effects,
    };
  }

  const result = step(deps.flows, state, engineInput, { now, resumed });
  effects.push(...result.effects);
  const lang = script ?? result.state.lang ?? 'both';
  let replies = renderReplies(result.replies, lang, deps.translator);
  let next: Session = { ...state, ...result.state };
  // A node may ask the policy Q&A a question (the quick-question buttons of the policy menu).
  const ask = deps.flows.node(result.state.at)?.ask;
  if (ask && lang !== 'both') {
    const asked = await answerQuestion(deps, ctx(lang), deps.translator.t(lang, ask));
    if (asked.kind === 'replies') {
      replies = [...replies.filter((r) => r.text.length > 0), ...asked.replies];
      next = {
        ...next,
        at: asked.at,
        ...(asked.lastQuestion ? { lastQuestion: asked.lastQuestion } : {}),
      };
    }
  }
  return { session: next, replies, effects };
}

/** Free text goes to the policy Q&A unless the current node waits for it (distress always does). */
function wantsQa(flows: FlowSet, session: Session, text: string): boolean {
  if (text.length === 0) return false;
  if (detectDistress(text)) return true;
  const input = flows.node(session.at)?.input;
  return !(input && 'next' in input);
}

/** "2" (also "２", "༢", "2.") picks the second of the choices offered last. */
function pickOffered(offered: string[] | undefined, text: string): string | undefined {
  const m = /^([0-9０-９༠-༩]{1,2})[.。、)]?$/u.exec(text.trim());
  if (!m?.[1] || !offered) return undefined;
  const n = Number([...m[1]].map(toAsciiDigit).join(''));
  return offered[n - 1];
}

function toAsciiDigit(ch: string): string {
  const c = ch.codePointAt(0) ?? 48;
  if (c >= 0xff10 && c <= 0xff19) return String(c - 0xff10);
  if (c >= 0x0f20 && c <= 0x0f29) return String(c - 0x0f20);
  return ch;
}

async function loadSession(
  deps: ConversationDeps,
  event: InboundEvent,
  existing: Session | null,
  now: number,
  resumeAfter: number,
) {
  if (existing && now - existing.updatedAt < resumeAfter)
    return { session: existing, resumed: false };
  // New or back after a while: start at the menu in the language we know, or ask for one.
  const person = await deps.people.touch(event.channel, event.chatId, new Date(now));
  const lang = person.language ?? existing?.lang ?? null;
  const session: Session = {
    v: 1,
    at: lang ? 'main:menu' : 'language:choose',
    lang,
    updatedAt: now,
    personId: person.id,
  };
  return { session, resumed: !person.isNew && lang !== null };
}

function normalizeEvent(event: InboundEvent): InboundInput {
  const input = event.input;
  if (input.kind !== 'text') return input;
  return { kind: 'text', text: normalizeInput(input.text) };
}

/** What goes into the conversation log for the person's side of the turn. */
function describeInput(input: InboundInput, session: Session, deps: ConversationDeps): string {
  switch (input.kind) {
    case 'text':
      return input.text;
    case 'command':
      return `/${input.name}${input.args ? ` ${input.args}` : ''}`;
    case 'media':
      return `[${input.media}]`;
    case 'choice': {
      const [ref = session.at, choiceId] = input.id.includes('#')
        ? input.id.split('#')
        : [session.at, input.id];
      const choice = deps.flows.node(ref)?.choices?.find((c) => c.id === choiceId);
      const lang = choice?.labelLang ?? session.lang ?? 'zh-CN';
      return `[${choice ? deps.translator.t(lang, choice.label) : input.id}]`;
    }
  }
}
