import type { EmploymentService } from './employment.service.js';
import { followupDueAt } from './plan.format.js';
import { followupMessage } from './plan.messages.js';
import { holdUntil, type JobOutcome, type PushDeps } from './plan.reminder.js';

/**
 * One or three months after "I found a job": "您还在这份工作吗？" with 还在 / 不在了 / 需要帮助,
 * once per record, in the person's language; held until its day and until quiet hours end.
 * Nothing for a person gone or without consent.
 */
export async function askFollowup(
  deps: PushDeps & { employment: Pick<EmploymentService, 'followupOf' | 'asked'> },
  job: { personId: string; months: 1 | 3 },
): Promise<JobOutcome> {
  const view = await deps.employment.followupOf(job.personId);
  if (!view?.consented) return 'skipped';
  const record = view.employment;
  if (record.askedAt?.[job.months === 1 ? 'm1' : 'm3']) return 'skipped';
  const recordAt = new Date(record.at);
  if (await holdUntil(deps, followupDueAt(recordAt, job.months))) return 'held';
  const t = (key: string) => deps.translator.t(view.lang, key);
  const sent = await deps.push(
    job.personId,
    view.lang,
    followupMessage(deps.translator, view.lang, record, job.months),
    { title: t('plan:job.title'), summary: t('plan:job.summary') },
  );
  if (!sent) return 'unreachable';
  await deps.employment.asked(job.personId, recordAt, job.months, deps.now());
  return 'sent';
}
