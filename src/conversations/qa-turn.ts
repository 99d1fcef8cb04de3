import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Choice, OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { EngineInput } from '../engine/step.js';
import type { Translator } from '../i18n.js';
import type { Decision, KnowledgeIndex } from '../knowledge/index.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import { asksForAPerson, followUpReply } from './qa-follow-up.js';
import { KB_CHOICE, renderAnswer, renderDecline, renderDetails, renderWhere } from './qa-render.js';

export { KB_CHOICE, renderAnswer } from './qa-render.js';
export { lastCardOf } from './qa-follow-up.js';

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
      ? followUpReply(deps.knowledge().cards, deps.translator, ctx.lang, text, ctx.lastCard)
      : undefined;
  if (followUp)
    return {
      kind: 'replies',
      replies: [followUp],
      at: 'policy:ask',
      ...(ctx.lastQuestion ? { lastQuestion: ctx.lastQuestion } : {}),
    };
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
