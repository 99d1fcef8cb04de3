import type { Redis } from 'ioredis';
import type { Effect, RouteName } from '../engine/flow.schema.js';
import { caseKeys } from '../handoff/keys.js';
import type { Translator } from '../i18n.js';
import { choiceNumber } from '../lib/choice-number.js';
import type { InboundInput } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { EmploymentService } from './employment.service.js';
import { lhasaDay, planDueAt } from './plan.format.js';
import { parsePress, PRESS } from './plan.messages.js';
import { MAX_OPEN_STEPS, type PlanService } from './plan.service.js';
import type { ProfileService } from './profile.service.js';

/** The action plan's and the employment record's part of a turn (given by the composition root). */
export interface PlanTurnDeps {
  plans: PlanService;
  employment: EmploymentService;
  /** Where the buttons last pushed to a chat are kept (a typed "1" picks from them). */
  redis: Redis;
  prefix: string;
}

type PlanRoute = Extract<RouteName, 'plan' | 'plan-add' | 'employment'>;
export const isPlanRoute = (name: RouteName): name is PlanRoute =>
  name === 'plan' || name === 'plan-add' || name === 'employment';

/**
 * Planning is profiling: without the profile consent the person is asked for it first (the
 * intake's consent text, with a line saying why). With it: the plan, the question of a new
 * step (unless 10 are open), or the employment questions.
 */
export async function planRoute(
  deps: { profiles: Pick<ProfileService, 'consentOf'>; plans?: PlanTurnDeps | undefined },
  name: PlanRoute,
  personId: string,
): Promise<{ node: string; say?: string }> {
  const consent = await deps.profiles.consentOf(personId);
  // (Their own consent nodes: once agreed, the person goes on to the plan or the job, not into
  // the intake's questions.)
  if (!consent.profile)
    return name === 'employment'
      ? { node: 'employment:consent', say: 'plan:job.consentFirst' }
      : { node: 'plan:consent', say: 'plan:consentFirst' };
  if (name === 'plan') return { node: 'plan:show' };
  if (name === 'employment') return { node: 'employment:q-employer' };
  const open = deps.plans ? await deps.plans.plans.openCount(personId) : 0;
  return { node: open >= MAX_OPEN_STEPS ? 'plan:full' : 'plan:write' };
}

export interface PlanEffectContext {
  personId: string;
  lang: Lang;
  now: Date;
  /** Free text the flow kept (`plan`, `employer`, `work`). */
  draft?: Record<string, string> | undefined;
}

export interface PlanOutcome {
  text: string;
  /** The drafts are used up. */
  clearDraft?: boolean;
}

type PlanEffect = Extract<Effect, { type: 'plan' | 'employment' }>;

/** Adds the step written before, records "I found a job", or shows the plan. */
export async function planEffect(
  deps: { plans?: PlanTurnDeps | undefined; translator: Translator },
  ctx: PlanEffectContext,
  effect: PlanEffect | { type: 'show' },
): Promise<PlanOutcome> {
  const t = (key: string, p?: Record<string, string | number>) =>
    deps.translator.t(ctx.lang, key, p);
  const p = deps.plans;
  if (!p) return { text: t('plan:unavailable') };
  switch (effect.type) {
    case 'show':
      return { text: await showPlan(p.plans, t, ctx) };
    case 'plan': {
      const text = ctx.draft?.plan;
      if (!text) return { text: t('plan:noText') };
      const due = planDueAt(effect.in, ctx.now);
      const out = await p.plans.add(ctx.personId, { text, due, by: 'person' }, ctx.now);
      switch (out.kind) {
        case 'added':
          return {
            text: t('plan:added', { text: out.step.text, date: lhasaDay(due, ctx.lang) }),
            clearDraft: true,
          };
        case 'full':
          return { text: t('plan:full'), clearDraft: true };
        case 'empty':
          return { text: t('plan:noText') };
        default:
          return { text: t('plan:notSaved') };
      }
    }
    case 'employment': {
      const out = await p.employment.record(
        ctx.personId,
        {
          ...(ctx.draft?.employer ? { employer: ctx.draft.employer } : {}),
          ...(ctx.draft?.work ? { work: ctx.draft.work } : {}),
          ...(effect.started ? { startedAt: effect.started } : {}),
        },
        ctx.now,
      );
      return out === 'recorded'
        ? { text: t('plan:job.thanks'), clearDraft: true }
        : { text: t('plan:job.notSaved') };
    }
  }
}

async function showPlan(
  plans: PlanService,
  t: (key: string, p?: Record<string, string | number>) => string,
  ctx: PlanEffectContext,
): Promise<string> {
  const steps = (await plans.list(ctx.personId)) ?? [];
  const shown = [...steps.filter((s) => !s.doneAt), ...steps.filter((s) => s.doneAt).slice(0, 5)];
  if (shown.length === 0) return t('plan:list.empty');
  const lines = shown.map((s, i) =>
    t('plan:list.item', {
      n: i + 1,
      text: s.text,
      date: lhasaDay(new Date(s.due), ctx.lang),
      status: t(s.doneAt ? 'plan:list.done' : 'plan:list.open'),
    }),
  );
  return [t('plan:list.head'), ...lines].join('\n');
}

/**
 * Before the engine (and before the open case): a button of a reminder or a follow-up the
 * worker pushed — pressed, or its number typed (WeChat shows them as a numbered list) — is
 * recorded, and the turn goes on at the node that answers it. Undefined: not such a press.
 */
export async function journeyPress(
  deps: PlanTurnDeps | undefined,
  turn: { personId: string; channel: string; chatId: string; input: InboundInput; now: Date },
): Promise<{ node: string } | undefined> {
  if (!deps) return undefined;
  const key = caseKeys(deps.prefix).pushed(turn.channel, turn.chatId);
  let id: string | undefined;
  if (turn.input.kind === 'choice' && turn.input.id.startsWith(PRESS)) id = turn.input.id;
  else if (turn.input.kind === 'text') {
    const n = choiceNumber(turn.input.text);
    if (n === undefined) return undefined;
    const picked = pushedIds(await deps.redis.get(key))[n - 1];
    if (!picked?.startsWith(PRESS)) return undefined;
    id = picked;
  }
  if (!id) return undefined;
  // Whatever was pressed, the pushed buttons are used up (a number later means others).
  await deps.redis.del(key);
  const press = parsePress(id);
  if (!press) return { node: 'plan:reminder-unknown' };
  const { personId, now } = turn;
  if (press.kind === 'plan') {
    const out =
      press.answer === 'done'
        ? await deps.plans.done(personId, press.stepId, now)
        : await deps.plans.notYet(personId, press.stepId, now);
    if (out.kind === 'unknown') return { node: 'plan:reminder-unknown' };
    return { node: out.kind === 'not-yet' ? 'plan:reminder-not-yet' : 'plan:reminder-done' };
  }
  const out = await deps.employment.answer(personId, press.token, press.months, press.answer, now);
  if (out === 'unknown') return { node: 'employment:unknown' };
  // "I need help" opens a case, as the menu's 联系就业指导员 does.
  return {
    node:
      press.answer === 'still'
        ? 'employment:still'
        : press.answer === 'left'
          ? 'employment:left'
          : 'main:human',
  };
}

function pushedIds(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
