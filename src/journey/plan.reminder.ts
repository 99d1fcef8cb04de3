import type { Translator } from '../i18n.js';
import type { QuietHours } from '../lib/quiet-hours.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import { reminderMessage } from './plan.messages.js';
import type { PlanService } from './plan.service.js';

/** What the journey's jobs need to reach a person (the worker gives it). */
export interface PushDeps {
  translator: Translator;
  quietHours: QuietHours;
  now: () => Date;
  /**
   * Sends to the person's preferred reachable chat (with a fixed-field notice where the channel
   * cannot send free text now: WeChat outside its window); false when nothing can reach them.
   */
  push(
    personId: string,
    lang: Lang,
    message: OutgoingMessage,
    notice: { title: string; summary: string },
  ): Promise<boolean>;
  /** Puts the job back to run again in `ms` (the rest of quiet hours, the time until it is due). */
  hold(ms: number): Promise<void>;
}

export type JobOutcome = 'sent' | 'held' | 'skipped' | 'unreachable';

/**
 * A step's day has come: "提醒：您计划……，完成了吗？" with 已完成 / 还没有, in the person's
 * language, once. Nothing for a step done, gone, or a person who withdrew their consent; held
 * until the due time (a job taken early) and until quiet hours end.
 */
export async function remindStep(
  deps: PushDeps & { plans: Pick<PlanService, 'reminderOf' | 'reminded'> },
  job: { personId: string; stepId: string },
): Promise<JobOutcome> {
  const view = await deps.plans.reminderOf(job.personId, job.stepId);
  if (!view?.consented || view.step.doneAt || view.step.remindedAt) return 'skipped';
  const held = await holdUntil(deps, new Date(view.step.due));
  if (held) return 'held';
  const t = (key: string) => deps.translator.t(view.lang, key);
  const sent = await deps.push(
    job.personId,
    view.lang,
    reminderMessage(deps.translator, view.lang, view.step),
    { title: t('plan:reminder.title'), summary: t('plan:reminder.summary') },
  );
  if (!sent) return 'unreachable';
  await deps.plans.reminded(job.personId, job.stepId, deps.now());
  return 'sent';
}

/** Holds the job while it is early or quiet hours last; true when it was put back. */
export async function holdUntil(deps: PushDeps, due: Date): Promise<boolean> {
  const at = deps.now();
  const early = due.getTime() - at.getTime();
  // (A second early is not worth a round trip.)
  const wait = early > 1000 ? early : deps.quietHours.msUntilEnd(at);
  if (wait <= 0) return false;
  await deps.hold(wait);
  return true;
}
