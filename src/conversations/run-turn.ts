import type { OutgoingMessage } from '../messaging/content.js';
import type { InboundEvent } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { Effect } from '../engine/flow.schema.js';
import { step } from '../engine/step.js';
import { asksSomething } from '../knowledge/focus.js';
import type { Rubric } from '../coaching/coach.js';
import { answerAside, askAgain } from './ask-again.js';
import { renderCoaching } from './coach-turn.js';
import type { ConversationDeps } from './conversation-deps.js';
import {
  answerQuestion,
  handleKbChoice,
  KB_CHOICE,
  lastCardOf,
  type QaContext,
  type QaOutcome,
} from './qa-turn.js';
import type { Reading } from './read-input.js';
import { renderReplies } from './render-replies.js';
import { journeyRoute } from '../journey/journey.turn.js';
import type { Session } from './session.store.js';
import { isFormQuestion } from './form-question.js';

export interface TurnResult {
  session: Session;
  replies: OutgoingMessage[];
  effects: Effect[];
  /** What a `complaint` effect files: the command's arguments or the text the person wrote. */
  complaintText?: string;
  /** The person was erased (/delete): the conversation starts over and the turn is not logged. */
  erased?: boolean;
}

/**
 * The engine's part of the one-pass turn (after the open case): the reading of the message
 * (decided once) → the engine step → its named actions (the policy Q&A for free text, a node's
 * question) → channel-neutral messages. Coaching and care for distress come first.
 */
export async function runTurn(
  deps: ConversationDeps,
  event: InboundEvent,
  session: Session,
  reading: Reading,
  now: number,
  resumed: boolean,
): Promise<TurnResult> {
  const { script, distress } = reading;
  let engineInput = reading.input;
  const replyLang: Lang | 'both' = script ?? session.lang ?? 'both';
  const complaintText = reading.complaintText;

  const effects: Effect[] = [];
  let state: Session = session;
  // A newcomer's first words in one script pick that language.
  const firstContact = session.lang === null && script !== null;
  if (firstContact) {
    effects.push({ type: 'setLanguage', lang: script });
    state = { ...state, lang: script };
    if (engineInput.kind === 'goto' && engineInput.node === 'main:welcome-back')
      engineInput = { kind: 'goto', node: 'main:welcome' };
  } else if (
    session.lang === null &&
    engineInput.kind === 'goto' &&
    engineInput.node === 'main:welcome-back'
  ) {
    // "hello" from someone new (no script to go by): the first contact's bilingual greeting and
    // the language question, not "welcome back".
    engineInput = { kind: 'start' };
  }
  const qaLang = replyLang === 'both' ? null : replyLang;
  const lastCard = lastCardOf(session.offered);
  const ctx = (lang: Lang): QaContext => ({
    personId: session.personId,
    channel: event.channel,
    lang,
    now: new Date(now),
    distress,
    ...(session.lastQuestion ? { lastQuestion: session.lastQuestion } : {}),
    ...(lastCard ? { lastCard } : {}),
  });

  const again = (lang: Lang) => ({ state, at: session.at, lang, now, resumed, effects });

  // A practice answer gets feedback on what was written; a policy question typed mid-practice is
  // answered, and the practice question is asked again. Distress is never coached.
  const rubric = rubricAt(deps, session);
  let coaching: OutgoingMessage | undefined;
  if (rubric && engineInput.kind === 'text' && qaLang && !distress) {
    if (!rubric.questionsAreAnswers) {
      const aside = await answerAside(deps, ctx(qaLang), engineInput.text);
      if (aside) return askAgain(deps, again(qaLang), 'interview:practice.resume', aside);
    }
    coaching = renderCoaching(deps.translator, rubric, engineInput.text, qaLang);
  }

  // The engine decides where the input leads; free text it does not wait for is the Q&A's
  // (distress always is: care comes first, whatever the flow was waiting for).
  let result =
    engineInput.kind === 'text' && distress
      ? undefined
      : step(deps.flows, state, engineInput, { now, resumed });
  // A form's question (the intake, the self-assessment, a plan step's date) waits for one of its
  // buttons: text that picks none keeps the person in the form — a question is answered first,
  // anything else is asked to pick — instead of leaving it for the Q&A.
  if (
    engineInput.kind === 'text' &&
    !distress &&
    qaLang &&
    result?.action?.kind === 'qa' &&
    isFormQuestion(session.at)
  ) {
    const aside = await answerAside(deps, ctx(qaLang), engineInput.text);
    const lead = aside ? 'common:form.resume' : 'common:form.pickOne';
    return askAgain(deps, again(qaLang), lead, aside);
  }
  let qa: QaOutcome | undefined;
  if (engineInput.kind === 'choice' && engineInput.id.startsWith(KB_CHOICE)) {
    qa = await handleKbChoice(deps, ctx(qaLang ?? 'zh-CN'), engineInput.id);
  } else if (engineInput.kind === 'text' && qaLang && (distress || result?.action?.kind === 'qa')) {
    qa = await answerQuestion(deps, ctx(qaLang), engineInput.text);
    // A first message we cannot answer gets the welcome and the menu rather than an apology;
    // a question among them is still told it was read ("not covered here; 12333, a person").
    if (firstContact && qa.kind === 'replies' && qa.declined)
      qa = {
        kind: 'engine',
        input: { kind: 'goto', node: 'main:welcome' },
        ...(asksSomething(engineInput.text) ? { after: qa.replies } : {}),
      };
  }
  let after: OutgoingMessage[] = [];
  if (qa?.kind === 'engine') {
    result = step(deps.flows, state, qa.input, { now, resumed });
    after = qa.after ?? [];
    qa = undefined;
  }
  if (qa) {
    // Two questions in a row the assistant could not answer: a counsellor takes over.
    const misses = qa.unsure ? (session.misses ?? 0) + 1 : 0;
    if (misses >= 2) effects.push({ type: 'handoff', reason: 'not-understood' });
    return {
      session: {
        ...state,
        at: qa.at,
        misses: misses >= 2 ? 0 : misses,
        ...(qa.lastQuestion ? { lastQuestion: qa.lastQuestion } : {}),
      },
      replies: qa.replies,
      effects,
    };
  }
  // (Text with no language to answer in: the engine's own step stands.)
  result ??= step(deps.flows, state, engineInput, { now, resumed });
  // A node may leave the next one to what is known of the person (consent, an unfinished intake).
  if (result.action?.kind === 'route' && deps.journeyTurn) {
    const routed = await journeyRoute(
      deps.journeyTurn,
      result.action.name,
      session.personId,
      session.answers,
    );
    // A questionnaire starts with no answers, unless it goes on where the person stopped.
    const fresh =
      result.action.name === 'assess' && !routed.keepAnswers ? { answers: undefined } : {};
    const on = step(
      deps.flows,
      { ...state, ...result.state, ...fresh },
      { kind: 'goto', node: routed.node },
      { now, resumed },
    );
    const said = routed.say ? [{ say: [{ key: routed.say }], choices: [] }] : [];
    result = {
      ...on,
      replies: [...result.replies, ...said, ...on.replies],
      effects: [...result.effects, ...on.effects],
    };
  }
  effects.push(...result.effects);
  // Before any choice, a command is answered in the language the channel hints (Telegram's
  // language_code, the browser's Accept-Language), or in both.
  const lang = script ?? result.state.lang ?? hintedLang(event.languageHint) ?? 'both';
  let replies = renderReplies(result.replies, lang, deps.translator);
  if (coaching) replies = [coaching, ...replies];
  replies = [...replies, ...after];
  // A turn of the flows in between (a button, the menu) ends "two questions in a row".
  const { misses: _misses, ...kept } = { ...state, ...result.state };
  let next: Session = kept;
  // A node may ask the policy Q&A a question (the quick-question buttons of the policy menu).
  if (result.action?.kind === 'ask' && lang !== 'both') {
    const question = deps.translator.t(lang, result.action.key);
    const asked = await answerQuestion(deps, { ...ctx(lang), distress: false }, question);
    if (asked.kind === 'replies') {
      replies = [...replies.filter((r) => r.text.length > 0), ...asked.replies];
      next = {
        ...next,
        at: asked.at,
        ...(asked.lastQuestion ? { lastQuestion: asked.lastQuestion } : {}),
      };
    }
  }
  return {
    session: next,
    replies,
    effects,
    ...(complaintText !== undefined ? { complaintText } : {}),
  };
}

/** The coaching rubric of the node waiting for the person's answer, if it coaches. */
function rubricAt(deps: ConversationDeps, session: Session): Rubric | undefined {
  const input = deps.flows.node(session.at)?.input;
  const id = input && 'coach' in input ? input.coach : undefined;
  return id ? deps.coaching?.get(id) : undefined;
}

/** zh*, bo* → a language we speak; anything else → none. */
export function hintedLang(hint: string | undefined): Lang | undefined {
  const h = hint?.toLowerCase() ?? '';
  if (h.startsWith('bo')) return 'bo';
  if (h.startsWith('zh')) return 'zh-CN';
  return undefined;
}
