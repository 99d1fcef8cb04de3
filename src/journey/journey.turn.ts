import type { Effect, RouteName } from '../engine/flow.schema.js';
import type { Translator } from '../i18n.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { describeAssessment, QUESTION_TYPE, scoreAssessment } from './assessment.js';
import type { Erasure } from './erasure.js';
import type { Links } from './links.js';
import { renderMyData, type MyDataSources } from './mydata.js';
import { isPlanRoute, planEffect, planRoute, type PlanTurnDeps } from './plan.turn.js';
import type { PersonData } from './person-data.js';
import type { ProfileService } from './profile.service.js';

/** What the journey's part of a turn needs (given by the composition root). */
export interface JourneyTurnDeps {
  profiles: ProfileService;
  erasure: Erasure;
  links: Links;
  mydata: MyDataSources;
  translator: Translator;
  /** The action plan and "I found a job" (standard 7.1(4), 7.2(6)); absent: not offered. */
  plans?: PlanTurnDeps;
  /** Other features' records made from the profile (job alerts from the intake's wanted work). */
  personData?: readonly Pick<PersonData, 'withdrawn'>[];
}

/** Where a node's `route` leads for this person, and a line to say first (e.g. "we go on"). */
export interface Routed {
  node: string;
  say?: string;
  /** The questionnaire goes on with the answers given so far (otherwise it starts with none). */
  keepAnswers?: boolean;
}

/**
 * `intake`: consent first; an unfinished intake goes on where it stopped; a finished one is
 * reviewed. `sensitive`: the separate consent, or the questions when given (skipped when no
 * DATA_KEY can seal the answers). `assess`: the questionnaire from its introduction, or from
 * the first question not yet answered when the person stopped part-way ("以后再做").
 */
export async function journeyRoute(
  deps: JourneyTurnDeps,
  name: RouteName,
  personId: string,
  answers?: Record<string, string>,
): Promise<Routed> {
  if (name === 'assess') return assessRoute(answers);
  if (isPlanRoute(name)) return planRoute(deps, name, personId);
  const view = await deps.profiles.view(personId);
  const consent = view?.consent;
  if (name === 'sensitive') {
    if (!deps.profiles.sealsSensitive || !consent?.profile) return { node: 'intake:q-skills' };
    return { node: consent.sensitive ? 'intake:q-disability' : 'intake:sensitive-consent' };
  }
  if (!consent?.profile) return { node: 'intake:consent' };
  const at = view?.profile.intakeAt;
  if (at?.startsWith('intake:q-') || at === 'intake:sensitive-consent') {
    // The sensitive questions again only while their consent (and a key to seal them) holds.
    const sensitiveAt = at === 'intake:q-disability' || at === 'intake:q-health';
    const node =
      sensitiveAt && !(consent.sensitive && deps.profiles.sealsSensitive)
        ? 'intake:q-skills'
        : // "Noted. Anything else?" makes no sense days later: the question again, with "done".
          at === 'intake:q-category-more'
          ? 'intake:q-category-again'
          : at;
    return { node, say: 'intake:resume' };
  }
  if (view?.profile.intakeDoneAt) return { node: 'intake:review' };
  return { node: 'intake:q-district' };
}

/** The questionnaire's questions in the order asked (q1 … q12). */
const ASSESS_QUESTIONS = Object.keys(QUESTION_TYPE);

function assessRoute(answers: Record<string, string> | undefined): Routed {
  const next = ASSESS_QUESTIONS.find((q) => answers?.[q] === undefined);
  const started = ASSESS_QUESTIONS.some((q) => answers?.[q] !== undefined);
  return started && next
    ? { node: `assess:${next}`, say: 'assess:resume', keepAnswers: true }
    : { node: 'assess:intro' };
}

export interface JourneyEffectContext {
  personId: string;
  channel: ChannelId;
  chatId: string;
  lang: Lang;
  now: Date;
  /** The node the person was at before this turn (a confirmation must come from its question). */
  from: string;
  /** Where the turn leads. */
  at: string;
  answers: Record<string, string> | undefined;
  /** A command's arguments (`/link 123456`). */
  args: string | undefined;
  /** Free text a flow kept for this effect (a plan step, an employer). */
  draft?: Record<string, string> | undefined;
}

export interface JourneyOutcome {
  /** Text the node says (its buttons come after it). */
  text?: string;
  /** The person's id changed (linked into another person, or unlinked into a new one). */
  personId?: string;
  /** The language the person (now) has: a chat linked into a person speaks theirs. */
  lang?: Lang;
  /** The person was erased: the conversation starts again, and this turn is not logged. */
  erased?: boolean;
  /** The questionnaire's answers are used up. */
  clearAnswers?: boolean;
  /** The drafts (a plan step, an employer) are used up. */
  clearDraft?: boolean;
  /** The node's buttons that make no sense for this person now. */
  drop?: string[];
}

type JourneyEffect = Extract<
  Effect,
  { type: 'consent' | 'profile' | 'journey' | 'plan' | 'employment' }
>;

export const isJourneyEffect = (e: Effect): e is JourneyEffect =>
  e.type === 'consent' ||
  e.type === 'profile' ||
  e.type === 'journey' ||
  e.type === 'plan' ||
  e.type === 'employment';

/** Carries out one of the journey's effects; what it says goes with the node's own text. */
export async function journeyEffect(
  deps: JourneyTurnDeps,
  ctx: JourneyEffectContext,
  effect: JourneyEffect,
): Promise<JourneyOutcome> {
  const t = (key: string, params?: Record<string, string | number>) =>
    deps.translator.t(ctx.lang, key, params);
  switch (effect.type) {
    case 'consent':
      await deps.profiles.consent(ctx.personId, effect.scope, effect.given, ctx.now);
      if (!effect.given && effect.scope === 'profile')
        for (const data of deps.personData ?? []) await data.withdrawn?.(ctx.personId);
      return {};
    case 'profile': {
      const saved = await deps.profiles.set(ctx.personId, effect.field, effect.value, effect.add);
      return saved === 'no-consent' ? { text: t('intake:notSaved') } : {};
    }
    case 'plan':
    case 'employment':
      return planEffect(deps, ctx, effect);
    case 'journey':
      break;
  }
  switch (effect.action) {
    case 'intake-at':
      await deps.profiles.intakeAt(ctx.personId, ctx.at);
      return {};
    case 'intake-done':
      await deps.profiles.intakeDone(ctx.personId, ctx.now);
      return {};
    case 'assessment': {
      const result = scoreAssessment(ctx.answers ?? {});
      if (!result) return { text: t('assess:result.tooFew'), clearAnswers: true };
      const saved = await deps.profiles.saveAssessment(ctx.personId, result, ctx.now);
      const text = describeAssessment(result.types, ctx.lang, (l, k) => deps.translator.t(l, k));
      return {
        text: `${text}\n\n${t(saved ? 'assess:result.saved' : 'assess:result.notSaved')}`,
        clearAnswers: true,
      };
    }
    case 'mydata':
      return { text: await renderMyData(deps.mydata, deps.translator, ctx.personId, ctx.lang) };
    case 'delete':
      // Only the confirmation's own button erases (an old one pressed later asks again, with
      // the button that does).
      if (ctx.from !== 'privacy:delete') return { text: t('privacy:delete.again') };
      await deps.erasure.erase(ctx.personId, { channel: ctx.channel, chatId: ctx.chatId }, ctx.now);
      return { text: t('privacy:delete.done'), erased: true, drop: ['delete', 'menu'] };
    case 'link':
      return link(deps, ctx, t);
    case 'plan-show':
      return planEffect(deps, ctx, { type: 'show' });
    case 'review': {
      // "Withdraw consent to disability and health" only where it was given.
      const consent = await deps.profiles.consentOf(ctx.personId);
      return consent.sensitive ? {} : { drop: ['withdraw-sens'] };
    }
    case 'unlink': {
      if (ctx.from !== 'privacy:unlink') return { text: t('privacy:unlink.alone') };
      const out = await deps.links.unlink(`${ctx.channel}:${ctx.chatId}`, ctx.personId, ctx.now);
      return out.kind === 'unlinked'
        ? { text: t('privacy:unlink.done'), personId: out.personId }
        : { text: t('privacy:unlink.alone') };
    }
  }
}

async function link(
  deps: JourneyTurnDeps,
  ctx: JourneyEffectContext,
  t: (key: string, params?: Record<string, string | number>) => string,
): Promise<JourneyOutcome> {
  const identity = `${ctx.channel}:${ctx.chatId}`;
  const channelsLine = async (personId: string) =>
    t('privacy:link.channels', {
      value: (await deps.links.channels(personId))
        .map((c) => t(`privacy:channel.${c}`))
        .join(ctx.lang === 'bo' ? '། ' : '、'),
    });
  if (!ctx.args) {
    const issued = await deps.links.issue(ctx.personId, ctx.now);
    return {
      text: `${t('privacy:link.code', { code: issued.code, minutes: issued.minutes })}\n\n${await channelsLine(ctx.personId)}`,
    };
  }
  const out = await deps.links.redeem(identity, ctx.personId, ctx.args, ctx.now);
  switch (out.kind) {
    case 'linked': {
      // The joined person's language, if they chose one, is this chat's from now on.
      const lang = (await deps.profiles.view(out.personId))?.language ?? ctx.lang;
      const tl = (key: string, params?: Record<string, string | number>) =>
        deps.translator.t(lang, key, params);
      const line = (await deps.links.channels(out.personId))
        .map((c) => tl(`privacy:channel.${c}`))
        .join(lang === 'bo' ? '། ' : '、');
      return {
        text: `${tl('privacy:link.linked')}\n\n${tl('privacy:link.channels', { value: line })}`,
        personId: out.personId,
        lang,
      };
    }
    case 'same':
      return { text: t('privacy:link.already') };
    case 'locked':
      return { text: t('privacy:link.locked', { minutes: out.minutes }) };
    case 'bad':
      return { text: t('privacy:link.bad') };
  }
}
