import type { EngineInput } from '../engine/step.js';
import type { FlowSet } from '../engine/flows.js';
import type { Translator } from '../i18n.js';
import type { KnowledgeIndex } from '../knowledge/index.js';
import { choiceNumber } from '../lib/choice-number.js';
import { pickByRange } from './typed-range.js';
import { isFormQuestion } from './form-question.js';
import { keywordForm } from '../lib/normalize.js';
import { detectScript } from '../lib/script.js';
import type { InboundInput } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { IntentMatcher } from './intents.js';
import type { Session } from './session.store.js';

/**
 * What the person's message is, decided once at the start of the turn: every later step (the
 * open case, the engine, the Q&A, coaching) reads this rather than deciding again.
 */
export interface Reading {
  /** For the engine: a command or keyword resolved (with its arguments), a number as its choice. */
  input: EngineInput;
  /** The script the text is written in (Tibetan or Chinese), or null. */
  script: Lang | null;
  /** The text shows distress (care comes first, whatever else happens). */
  distress: boolean;
  /** What a complaint files: `/complaint <text>`'s arguments, or the text written when asked. */
  complaintText?: string;
}

export interface ReadDeps {
  intents: IntentMatcher;
  flows: FlowSet;
  knowledge: () => Pick<KnowledgeIndex, 'isDistress'>;
  /**
   * A job-alert wish in plain language ("有保安岗位通知我"): the work to subscribe to, or null.
   * Absent: job alerts are not offered.
   */
  alertWish?: (text: string) => string[] | null;
  /** To read a choice's label: a button's text typed out picks that button. */
  translator?: Pick<Translator, 't'>;
}

export function readInput(deps: ReadDeps, session: Session, input: InboundInput): Reading {
  // The script written in: of the text, or of a command's words (/subscribe ཁ་ལོ་བ).
  let script =
    input.kind === 'text'
      ? detectScript(input.text)
      : input.kind === 'command'
        ? detectScript(input.args)
        : null;
  // A button pressed among those shown in the other language (Tibetan buttons under a Tibetan
  // question in a Chinese chat) answers in that language, as the buttons read.
  if (
    input.kind === 'choice' &&
    session.lang &&
    session.offeredLang &&
    !input.id.startsWith('language:') &&
    session.offered?.includes(input.id)
  )
    script = session.offeredLang;
  // A button's whole text typed out is that button, even when it is also a keyword (the menu's
  // 我的信息 is the "my information" screen, the keyword 我的信息 is /mydata).
  // (Read once: the start of a button's text picks it further down, after numbers.)
  const labelled =
    input.kind === 'text'
      ? pickByLabel(deps, session, offeredChoices(deps.flows, session), input.text)
      : {};
  let engine = labelled.whole
    ? ({ kind: 'choice', id: labelled.whole } as const)
    : deps.intents.toEngineInput(input, script);
  let complaintText: string | undefined;
  if (engine.kind === 'goto' && engine.node === 'main:complaint' && engine.args) {
    // Filed at once, without asking what happened.
    complaintText = engine.args;
    engine = { kind: 'goto', node: 'main:complaint-filed' };
  } else if (session.at === 'main:complaint' && engine.kind === 'text') complaintText = engine.text;
  // A voice note the assistant cannot understand goes to a counsellor (once a language is known).
  if (
    input.kind === 'media' &&
    (input.media === 'voice' || input.media === 'audio') &&
    session.lang
  )
    engine = { kind: 'goto', node: 'main:voice' };
  // What is typed may pick one of the choices offered last: its number, its text, a yes or no.
  const reply = engine.kind === 'text' ? deps.intents.reply(engine.text) : null;
  if (engine.kind === 'text') {
    const offered = offeredChoices(deps.flows, session);
    const picked =
      pickByNumber(offered, engine.text) ??
      labelled.start ??
      pickByRange(offered, engine.text, (t) => deps.knowledge().isDistress(t)) ??
      pickByScale(offered, deps.intents.scale(engine.text)) ??
      (deps.intents.erase(engine.text)
        ? offered.find((id) => id === 'privacy:delete#confirm')
        : undefined) ??
      (reply === 'yes' || reply === 'no' ? pickByAnswer(offered, reply) : undefined) ??
      // 不知道 / ང་མི་ཤེས in the interview practice: its "show the model answer" button.
      (reply === 'skip' ? offered.find((id) => id.endsWith('#skip')) : undefined);
    if (picked) {
      // A number says nothing of the language: 二 picked in a Tibetan chat answers in Tibetan.
      if (choiceNumber(engine.text) !== undefined) script = null;
      engine = { kind: 'choice', id: picked };
    }
    // A bare number that picks nothing is no answer to a question waiting for words (投诉 then
    // "2" filed a complaint reading "2"; 订阅岗位 then "3" subscribed to "3"): asked again.
    else if (choiceNumber(engine.text) !== undefined && waitsForText(deps.flows, session))
      engine = { kind: 'goto', node: session.at };
  }
  const beyond = input.kind === 'text' ? input.beyond : undefined;
  const distress =
    engine.kind === 'text' &&
    engine.text.length > 0 &&
    (deps.knowledge().isDistress(engine.text) || (!!beyond && deps.knowledge().isDistress(beyond)));
  // "好的", "知道了" — or a bare yes or no ("不用了", "没有") — where no yes/no was asked and no
  // answer is awaited: an acknowledgement, not a question to look up.
  // At a form's question a yes that picks nothing ("是的" at "your Chinese and Tibetan?") is
  // asked to pick, not taken for an "ok" that left the form without a word.
  if (
    engine.kind === 'text' &&
    reply &&
    reply !== 'skip' &&
    !distress &&
    !waitsForText(deps.flows, session) &&
    !isFormQuestion(session.at)
  )
    engine = { kind: 'goto', node: 'main:ack' };
  // Emoji alone, where no words are awaited: 👍 is an "ok", 😭 a feeling (the support's first
  // screen, gently; words of distress are read as such above). They used to be declined.
  if (engine.kind === 'text' && !distress && !waitsForText(deps.flows, session)) {
    const feeling = emojiOnly(engine.text);
    if (feeling) engine = { kind: 'goto', node: feeling === 'sad' ? 'psych:start' : 'main:ack' };
  }
  // "明天去面试 好紧张 能帮我练练吗": the interview practice itself (it got the tips card);
  // "…态度太差了 我去了三次都不给办 我要投诉她": the story first, the complaint said last —
  // filed with the whole text (it got a card, and the story had to be typed again). Not where
  // a node waits for this text (an interview answer about a former employer), not with distress.
  if (engine.kind === 'text' && !distress && !waitsForText(deps.flows, session)) {
    const said = COMPLAINT_LAST.exec(keywordForm(engine.text));
    if (PRACTICE.test(engine.text)) engine = { kind: 'goto', node: 'interview:practice' };
    else if (said && said.index >= 6 && !NOT_FILED.test(engine.text)) {
      complaintText = engine.text.trim();
      engine = { kind: 'goto', node: 'main:complaint-filed' };
    }
  }
  // "有保安岗位通知我" subscribes — unless a node waits for this text (a complaint, an answer)
  // or the text shows distress (care comes first).
  if (engine.kind === 'text' && !distress && deps.alertWish && !waitsForText(deps.flows, session)) {
    const work = deps.alertWish(engine.text);
    if (work) engine = { kind: 'goto', node: 'jobs:subscribe', args: work.join(' ') };
  }
  return {
    input: engine,
    script,
    distress,
    ...(complaintText !== undefined ? { complaintText } : {}),
  };
}

/**
 * The choice a typed yes or no picks among those offered: the flows name their yes/no buttons
 * `#yes`/`#no`, `#agree`/`#decline` (consent) or `#confirm`/`#cancel` (erasure, unlinking).
 * Typed 要 or 同意 at "确定删除吗？" used to be taken for a plain "ok" and nothing happened.
 */
const ANSWER_IDS = { yes: ['yes', 'agree', 'confirm'], no: ['no', 'decline', 'cancel'] } as const;
function pickByAnswer(offered: readonly string[], reply: 'yes' | 'no'): string | undefined {
  const ids = ANSWER_IDS[reply];
  const yes = offered.filter((id) => ANSWER_IDS.yes.some((a) => id.endsWith(`#${a}`)));
  const no = offered.filter((id) => ANSWER_IDS.no.some((a) => id.endsWith(`#${a}`)));
  // Only a question with exactly one yes and one no button is answered this way.
  if (yes.length !== 1 || no.length !== 1) return undefined;
  return offered.find((id) => ids.some((a) => id.endsWith(`#${a}`)));
}

/** At a liking scale (喜欢 / 一般 / 不喜欢: its `#some` button), the button a typed liking picks. */
function pickByScale(
  offered: readonly string[],
  liking: 'yes' | 'some' | 'no' | null,
): string | undefined {
  if (!liking || !offered.some((id) => id.endsWith('#some'))) return undefined;
  return offered.find((id) => id.endsWith(`#${liking}`));
}

/** A complaint said at the end of its story (我要投诉她, 我想投诉一下). */
const COMPLAINT_LAST = /我(?:要|想)投诉(?:她|他|你们|他们|这个人|那个人|一下)?$/u;
/** A question about complaining, or one only thought of (如果不行我想投诉他): not filed. */
const NOT_FILED = /[吗？?]|怎么|如何|哪|谁|能不能|可以|该不该|要不要|如果|要是|的话|是不是|是说/u;

/** Asking to practise an interview: 练练, 模拟面试, ངོ་ཐུག་སྦྱོང་བརྡར (not a question about it). */
const PRACTICE =
  /(?:帮我|陪我|和我|跟我|带我)(?:练练|练一练|练一下|练习一下|练习|模拟一下|模拟)|模拟面试吧|(?:想|要)(?:练练|练习)面试|ངོ་ཐུག་(?:ཚོད་ལྟའི་)?སྦྱོང་བརྡར་(?:བྱེད་འདོད|བྱེད་རོགས|གཏོང་འདོད)/u;

/** The node the person is at takes free text as its answer (not the policy Q&A). */
function waitsForText(flows: FlowSet, session: Session): boolean {
  const input = flows.node(session.at)?.input;
  return !!input && !('qa' in input);
}

/** The choices offered last (a pick-list of cards, pushed buttons), else the current node's. */
function offeredChoices(flows: FlowSet, session: Session): string[] {
  return (
    session.offered ?? flows.node(session.at)?.choices?.map((c) => `${session.at}#${c.id}`) ?? []
  );
}

/**
 * "2" (also "２", "༢", "二", "第二个") picks the second of the choices offered last (a WeChat
 * numbered list; any channel), or of the current node's when nothing was recorded.
 */
function pickByNumber(offered: readonly string[], text: string): string | undefined {
  const n = choiceNumber(text);
  return n === undefined ? undefined : offered[n - 1];
}

/**
 * A button's text typed out ("同意，开始登记", "返回主菜单" — people copy it, or a channel shows no
 * buttons) among those offered last, in the session's language: the button whose whole text it
 * is, or the one button whose text starts with it.
 */
function pickByLabel(
  deps: ReadDeps,
  session: Session,
  offered: readonly string[],
  text: string,
): { whole?: string; start?: string } {
  const form = keywordForm(text);
  if (!deps.translator || !session.lang || form.length === 0 || form.length > 40) return {};
  const starting: string[] = [];
  for (const id of offered) {
    const [ref, choiceId] = id.split('#');
    const choice = deps.flows.node(ref ?? '')?.choices?.find((c) => c.id === choiceId);
    if (!choice) continue;
    const label = keywordForm(deps.translator.t(choice.labelLang ?? session.lang, choice.label));
    if (label === form) return { whole: id };
    if (label.startsWith(form)) starting.push(id);
  }
  // The start of one button's text ("城关" for 城关区, "ཆུ་ཤུར" for ཆུ་ཤུར་རྫོང): that button.
  return [...form].length >= MIN_LABEL_START && starting.length === 1 ? { start: starting[0] } : {};
}

/** The fewest characters that may stand for a button's text by being its start. */
const MIN_LABEL_START = 2;

const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const NOT_EMOJI = /[^\p{Extended_Pictographic}\p{Emoji_Component}\p{P}\p{S}\p{Z}]/u;
const SAD = /[😭😢😞😔😟😩😫😿💔🥺😣😖😥😰]/u;

/** A message of emoji alone: a sad one, or any other; null when it has words. */
function emojiOnly(text: string): 'sad' | 'other' | null {
  if (text.length > 64 || !PICTOGRAPH.test(text) || NOT_EMOJI.test(text)) return null;
  return SAD.test(text) ? 'sad' : 'other';
}
