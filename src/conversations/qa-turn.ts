import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Choice, OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { EngineInput } from '../engine/step.js';
import type { Translator } from '../i18n.js';
import { aspectsOf, cardForAspects } from '../knowledge/aspects.js';
import type { PolicyCard } from '../knowledge/card.schema.js';
import type { Decision, KnowledgeIndex } from '../knowledge/index.js';
import type { QuestionRepo } from '../questions/question.repo.js';

export interface QaDeps {
  log: Logger;
  metrics?: Pick<Metrics, 'questions'>;
  knowledge: () => KnowledgeIndex;
  translator: Translator;
  questions: QuestionRepo;
}

/** What a Q&A step produced: messages, or an engine input to continue with instead. */
export type QaOutcome =
  | {
      kind: 'replies';
      replies: OutgoingMessage[];
      at: string;
      lastQuestion?: string;
      declined?: boolean;
      /** Declined because the assistant was not sure (not because it was off-topic). */
      unsure?: boolean;
    }
  | { kind: 'engine'; input: EngineInput; after?: OutgoingMessage[] };

export interface QaContext {
  personId: string;
  channel: ChannelId;
  lang: Lang;
  lastQuestion?: string;
  /** The card answered last, while its buttons are the ones offered (a follow-up's context). */
  lastCard?: string;
  now: Date;
  /** Whether the text shows distress, as the turn read it (not decided again). */
  distress?: boolean;
}

/** Prefix of the choice ids this module owns (`kb#d:<cardId>` …); short enough for Telegram. */
export const KB_CHOICE = 'kb#';

/** Answers free text from the policy cards: answer, ask which, decline honestly, or care first. */
export async function answerQuestion(
  deps: QaDeps,
  ctx: QaContext,
  text: string,
  /** The decision when the caller made it already (coaching looks before it answers). */
  decided?: Decision,
): Promise<QaOutcome> {
  const decision =
    decided ??
    deps
      .knowledge()
      .decide(text, ctx.lang, ctx.distress === undefined ? undefined : { distress: ctx.distress });
  const { id: qid, stored } = deps.questions.record({
    personId: ctx.personId,
    channel: ctx.channel,
    lang: ctx.lang,
    text,
    ...outcomeOf(decision),
    at: ctx.now,
  });
  deps.metrics?.questions.inc({ lang: ctx.lang, outcome: outcomeOf(decision).outcome });
  stored.catch((err: unknown) =>
    deps.log.error({ err, questionId: qid }, 'storing a question failed'),
  );
  // "需要带什么材料?" or "那能领多久" right after a card, with nothing else to go by: about that
  // card (it was declined as not an employment question).
  const followUp =
    ctx.lastCard && (decision.kind === 'decline' || decision.kind === 'clarify')
      ? followUpAnswer(deps, ctx, text, ctx.lastCard)
      : undefined;
  if (followUp) return followUp;
  switch (decision.kind) {
    case 'distress':
      // Care first; what the message also asked is answered after it.
      return {
        kind: 'engine',
        input: { kind: 'goto', node: 'psych:distress' },
        ...(decision.answer
          ? { after: [renderAnswer(deps.translator, decision.answer, ctx.lang)] }
          : {}),
      };
    case 'answer':
      // "我想跟真人说话" asks for a person, not for how to reach one: the handoff itself.
      if (decision.card.topic === 'human-counsellor' && asksForAPerson(text))
        return { kind: 'engine', input: { kind: 'goto', node: 'main:human' } };
      return {
        kind: 'replies',
        replies: [renderAnswer(deps.translator, decision.card, ctx.lang, decision.related)],
        at: 'policy:ask',
        lastQuestion: qid,
      };
    case 'clarify': {
      const t = (k: string) => deps.translator.t(ctx.lang, k);
      const choices: Choice[] = [
        ...decision.options.map((c) => ({ id: `${KB_CHOICE}c:${c.id}`, label: c.title[ctx.lang] })),
        { id: `${KB_CHOICE}x`, label: t('kb:choice.none') },
      ];
      return {
        kind: 'replies',
        replies: [{ text: t('kb:clarify'), choices, lang: ctx.lang }],
        at: 'policy:ask',
        lastQuestion: qid,
      };
    }
    case 'decline':
      return {
        kind: 'replies',
        replies: [renderDecline(deps.translator, ctx.lang, decision.reason)],
        at: 'policy:ask',
        lastQuestion: qid,
        declined: true,
        unsure: decision.reason !== 'offtopic',
      };
  }
}

/** A press on one of this module's buttons. */
export async function handleKbChoice(deps: QaDeps, ctx: QaContext, id: string): Promise<QaOutcome> {
  const t = (k: string) => deps.translator.t(ctx.lang, k);
  const [action = '', arg = ''] = id.slice(KB_CHOICE.length).split(':');
  const card = arg ? deps.knowledge().cards.find((c) => c.id === arg) : undefined;
  const replies = (r: OutgoingMessage): QaOutcome => ({
    kind: 'replies',
    replies: [r],
    at: 'policy:ask',
    ...(ctx.lastQuestion ? { lastQuestion: ctx.lastQuestion } : {}),
  });
  const menu = { id: `${KB_CHOICE}m`, label: t('common:choice.menu') };
  switch (action) {
    case 'c':
    case 'd':
    case 'w':
    case 'f':
      if (!card)
        return replies({
          text: t('kb:expired'),
          choices: [{ id: `${KB_CHOICE}a`, label: t('kb:choice.ask') }, menu],
          lang: ctx.lang,
        });
      if (action === 'c') return replies(renderAnswer(deps.translator, card, ctx.lang));
      if (action === 'd') return replies(renderDetails(deps.translator, card, ctx.lang));
      if (action === 'w') return replies(renderWhere(deps.translator, card, ctx.lang));
      return { kind: 'engine', input: { kind: 'goto', node: card.flow ?? 'main:menu' } };
    case 'y':
    case 'n': {
      if (ctx.lastQuestion)
        await deps.questions.setHelpful(ctx.lastQuestion, ctx.personId, action === 'y');
      const human = { id: `${KB_CHOICE}h`, label: t('kb:choice.human') };
      const ask = { id: `${KB_CHOICE}a`, label: t('kb:choice.ask') };
      return action === 'y'
        ? replies({ text: t('kb:thanks'), choices: [ask, menu], lang: ctx.lang })
        : replies({ text: t('kb:sorry'), choices: [human, ask, menu], lang: ctx.lang });
    }
    case 'x':
      if (ctx.lastQuestion) await deps.questions.setHelpful(ctx.lastQuestion, ctx.personId, false);
      return replies(renderDecline(deps.translator, ctx.lang));
    case 'h':
      return { kind: 'engine', input: { kind: 'goto', node: 'main:human' } };
    case 'a':
      return { kind: 'engine', input: { kind: 'goto', node: 'policy:ask' } };
    default:
      return { kind: 'engine', input: { kind: 'goto', node: 'main:menu' } };
  }
}

function outcomeOf(d: Decision) {
  switch (d.kind) {
    case 'answer':
      return {
        outcome: 'answered' as const,
        cardId: d.card.id,
        topic: d.card.topic,
        confidence: d.confidence,
      };
    case 'clarify':
      return {
        outcome: 'clarify' as const,
        cardId: d.options[0]?.id,
        topic: d.options[0]?.topic,
        confidence: d.confidence,
      };
    case 'decline':
      return { outcome: 'declined' as const, confidence: d.confidence };
    case 'distress':
      return { outcome: 'distress' as const, topic: 'psychological-support', confidence: 1 };
  }
}

function sourceLine(tr: Translator, card: PolicyCard, lang: Lang): string {
  return tr.t(lang, 'kb:source', { source: card.source[lang], reviewed: card.reviewedAt });
}

function feedbackChoices(tr: Translator, lang: Lang): Choice[] {
  return [
    { id: `${KB_CHOICE}y`, label: tr.t(lang, 'kb:choice.helpful') },
    { id: `${KB_CHOICE}n`, label: tr.t(lang, 'kb:choice.notHelpful') },
    { id: `${KB_CHOICE}m`, label: tr.t(lang, 'common:choice.menu') },
  ];
}

/**
 * The answer to what was asked, first and short (the card's title and short answer); the source
 * and its review date are one tap away under "details", with "where / what to bring" and
 * "helpful?" buttons.
 */
export function renderAnswer(
  tr: Translator,
  card: PolicyCard,
  lang: Lang,
  related?: PolicyCard,
): OutgoingMessage {
  const choices: Choice[] = [
    { id: `${KB_CHOICE}d:${card.id}`, label: tr.t(lang, 'kb:choice.details') },
    { id: `${KB_CHOICE}w:${card.id}`, label: tr.t(lang, 'kb:choice.where') },
    ...(card.flow ? [{ id: `${KB_CHOICE}f:${card.id}`, label: tr.t(lang, 'kb:choice.open') }] : []),
    ...(related ? [{ id: `${KB_CHOICE}c:${related.id}`, label: related.title[lang] }] : []),
    ...feedbackChoices(tr, lang),
  ];
  // A situation the question shows (an age of 50) may open help it did not ask about.
  const also = related
    ? `\n\n${tr.t(lang, 'kb:related', { title: related.title[lang], short: related.short[lang] })}`
    : '';
  return { text: `${card.title[lang]}\n${card.short[lang]}${also}`, choices, lang };
}

function renderDetails(tr: Translator, card: PolicyCard, lang: Lang): OutgoingMessage {
  return {
    text: `${card.title[lang]}\n${card.details[lang]}\n\n${sourceLine(tr, card, lang)}`,
    choices: [
      { id: `${KB_CHOICE}w:${card.id}`, label: tr.t(lang, 'kb:choice.where') },
      ...feedbackChoices(tr, lang),
    ],
    lang,
  };
}

/** Where to go, then the documents to bring, one per line. */
function renderWhere(tr: Translator, card: PolicyCard, lang: Lang): OutgoingMessage {
  const bring = card.bring?.[lang]
    .split('\n')
    .map((l) => l.trim().replace(/^[-•·*]\s*/u, ''))
    .filter((l) => l.length > 0);
  const parts = [`${tr.t(lang, 'kb:where')}\n${card.where[lang]}`];
  // A line in brackets is a note about the list ("usually; confirm first"), not a document.
  const note = (l: string) => /^[（(].*[）)]$/u.test(l);
  if (bring && bring.length > 0)
    parts.push(
      `${tr.t(lang, 'kb:bring')}\n${bring.map((l) => (note(l) ? l : `• ${l}`)).join('\n')}`,
    );
  return {
    text: parts.join('\n\n'),
    choices: [
      { id: `${KB_CHOICE}d:${card.id}`, label: tr.t(lang, 'kb:choice.details') },
      ...feedbackChoices(tr, lang),
    ],
    lang,
  };
}

/**
 * Not sure: say so, and offer a counsellor. Off-topic (the weather, a mortgage): say what the
 * assistant does help with, rather than sending the person to 12333 about the weather.
 */
function renderDecline(
  tr: Translator,
  lang: Lang,
  reason: 'offtopic' | 'unsure' = 'unsure',
): OutgoingMessage {
  return {
    text: tr.t(lang, reason === 'offtopic' ? 'kb:offtopic' : 'kb:decline'),
    choices: [
      { id: `${KB_CHOICE}h`, label: tr.t(lang, 'kb:choice.human') },
      { id: `${KB_CHOICE}a`, label: tr.t(lang, 'kb:choice.ask') },
      { id: `${KB_CHOICE}m`, label: tr.t(lang, 'common:choice.menu') },
    ],
    lang,
  };
}

/** A wish (想, 要, 能不能…, འདོད, རོགས) rather than a question of how or where (怎么, 电话, ག་འདྲ). */
const WISH = /想|要|希望|麻烦|请|能不能|可不可以|可以|帮我|给我|འདོད|རོགས|དགོས/u;
const HOW = /怎么|怎样|如何|哪里|哪儿|电话|号码|几点|什么时候|ག་འདྲ|ཇི་ལྟར|ག་པར|ཁ་པར|ག་དུས/u;
function asksForAPerson(text: string): boolean {
  return WISH.test(text) && !HOW.test(text);
}

/** Short enough to lean on the card before it (Chinese characters + Tibetan syllables). */
const FOLLOW_UP_UNITS = 16;

/**
 * A short question asking only an aspect (where, what to bring, how long, how) about the card
 * answered last: where and what to bring from that card, the rest from its topic's card that
 * covers the aspect. None when the question asks no aspect or says more than a follow-up does.
 */
function followUpAnswer(
  deps: QaDeps,
  ctx: QaContext,
  text: string,
  lastCard: string,
): QaOutcome | undefined {
  const asked = aspectsOf(text);
  const units =
    (text.match(/\p{Script=Han}/gu)?.length ?? 0) + (text.match(/[\u0F40-\u0FBC]+/gu)?.length ?? 0);
  if (asked.size === 0 || units > FOLLOW_UP_UNITS) return undefined;
  const cards = deps.knowledge().cards;
  const card = cards.find((c) => c.id === lastCard);
  if (!card) return undefined;
  const reply =
    asked.has('where') || asked.has('bring')
      ? renderWhere(deps.translator, card, ctx.lang)
      : renderAnswer(
          deps.translator,
          cardForAspects(
            [card, ...cards.filter((c) => c.topic === card.topic && c.id !== card.id)],
            asked,
          )?.card ?? card,
          ctx.lang,
        );
  return {
    kind: 'replies',
    replies: [reply],
    at: 'policy:ask',
    ...(ctx.lastQuestion ? { lastQuestion: ctx.lastQuestion } : {}),
  };
}

/** The card whose buttons (详细说明, 去哪里办) were offered last, if any: a follow-up's context. */
export function lastCardOf(offered: readonly string[] | undefined): string | undefined {
  const id = offered?.find((o) => /^kb#[dwf]:/.test(o));
  return id?.slice(`${KB_CHOICE}d:`.length);
}
