import type { OutgoingMessage } from '../messaging/content.js';
import type { InboundEvent, InboundInput } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { Effect } from '../engine/flow.schema.js';
import { step } from '../engine/step.js';
import type { Rubric } from '../coaching/coach.js';
import { asksSomething } from '../knowledge/focus.js';
import { choiceNumber } from '../lib/choice-number.js';
import { renderCoaching } from './coach-turn.js';
import { detectScript } from '../lib/script.js';
import type { ConversationDeps } from './conversation-deps.js';
import {
  answerQuestion,
  handleKbChoice,
  KB_CHOICE,
  type QaContext,
  type QaOutcome,
} from './qa-turn.js';
import { renderReplies } from './render-replies.js';
import type { Session } from './session.store.js';

export interface TurnResult {
  session: Session;
  replies: OutgoingMessage[];
  effects: Effect[];
  /** What a `complaint` effect files: the command's arguments or the text the person wrote. */
  complaintText?: string;
}

/** One turn: free text goes to the policy cards unless a flow is waiting for it. */
export async function runTurn(
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
  // `/complaint <text>`, `投诉 <text>`: filed at once, without asking what happened.
  let complaintText: string | undefined;
  if (engineInput.kind === 'goto' && engineInput.node === 'main:complaint' && engineInput.args) {
    complaintText = engineInput.args;
    engineInput = { kind: 'goto', node: 'main:complaint-filed' };
  } else if (
    session.at === 'main:complaint' &&
    input.kind === 'text' &&
    engineInput.kind === 'text'
  )
    complaintText = input.text;
  // A voice note the assistant cannot understand goes to a counsellor.
  if (
    input.kind === 'media' &&
    (input.media === 'voice' || input.media === 'audio') &&
    session.lang !== null
  )
    engineInput = { kind: 'goto', node: 'main:voice' };
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

  // A practice answer gets feedback on what was written; a policy question typed mid-practice is
  // answered, and the practice question is asked again.
  const rubric = rubricAt(deps, session);
  let coaching: OutgoingMessage | undefined;
  // Distress is never coached: care comes first, as anywhere else.
  if (
    rubric &&
    engineInput.kind === 'text' &&
    qaLang &&
    !deps.knowledge().isDistress(engineInput.text)
  ) {
    if (!rubric.questionsAreAnswers && asksSomething(engineInput.text)) {
      const decision = deps.knowledge().decide(engineInput.text, qaLang);
      if (decision.kind === 'answer' || decision.kind === 'clarify') {
        const asked = await answerQuestion(deps, ctx(qaLang), engineInput.text);
        if (asked.kind === 'replies') {
          const again = step(
            deps.flows,
            state,
            { kind: 'goto', node: session.at },
            { now, resumed },
          );
          const resume = renderReplies(
            [{ say: [{ key: 'interview:practice.resume' }], choices: [] }, ...again.replies],
            qaLang,
            deps.translator,
          );
          return {
            session: {
              ...state,
              ...(asked.lastQuestion ? { lastQuestion: asked.lastQuestion } : {}),
            },
            replies: [...asked.replies, ...resume],
            effects,
          };
        }
      }
    }
    coaching = renderCoaching(deps.translator, rubric, engineInput.text, qaLang);
  }

  let qa: QaOutcome | undefined;
  if (engineInput.kind === 'choice' && engineInput.id.startsWith(KB_CHOICE)) {
    qa = await handleKbChoice(deps, ctx(qaLang ?? 'zh-CN'), engineInput.id);
  } else if (engineInput.kind === 'text' && qaLang && wantsQa(deps, session, engineInput.text)) {
    qa = await answerQuestion(deps, ctx(qaLang), engineInput.text);
    // A first message we cannot answer gets the welcome and the menu rather than an apology.
    if (firstContact && qa.kind === 'replies' && qa.declined)
      qa = { kind: 'engine', input: { kind: 'goto', node: 'main:welcome' } };
  }
  let after: OutgoingMessage[] = [];
  if (qa?.kind === 'engine') {
    engineInput = qa.input;
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

  const result = step(deps.flows, state, engineInput, { now, resumed });
  effects.push(...result.effects);
  // Before any choice, a command is answered in the language the channel hints (Telegram's
  // language_code, the browser's Accept-Language), or in both.
  const lang = script ?? result.state.lang ?? hintedLang(event.languageHint) ?? 'both';
  let replies = renderReplies(result.replies, lang, deps.translator);
  if (coaching) replies = [coaching, ...replies];
  replies = [...replies, ...after];
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

/** Free text goes to the policy Q&A unless the current node waits for it (distress always does). */
function wantsQa(deps: ConversationDeps, session: Session, text: string): boolean {
  if (text.length === 0) return false;
  if (deps.knowledge().isDistress(text)) return true;
  const input = deps.flows.node(session.at)?.input;
  return !(input && 'next' in input);
}

/** "2" (also "２", "༢", "2.") picks the second of the choices offered last. */
function pickOffered(offered: string[] | undefined, text: string): string | undefined {
  const n = choiceNumber(text);
  return n === undefined ? undefined : offered?.[n - 1];
}

/** zh*, bo* → a language we speak; anything else → none. */
export function hintedLang(hint: string | undefined): Lang | undefined {
  const h = hint?.toLowerCase() ?? '';
  if (h.startsWith('bo')) return 'bo';
  if (h.startsWith('zh')) return 'zh-CN';
  return undefined;
}
