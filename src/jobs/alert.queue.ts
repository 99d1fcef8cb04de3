import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Match } from './match.js';

/**
 * The job-alert queue (issue 13). Jobs carry ids only:
 * - `match` `{jobId}`: a posting was created or edited; match it against every subscription.
 * - `alert` `{jobId, personId, digest}`: one person's alert of one posting (id
 *   `alert-<jobId>-<personId>`: added once while it waits; the record is the lasting guard).
 * - `digest` `{personId}`: the person's held alerts in one message (id `digest-<personId>-<day>`).
 */
export const ALERT_QUEUE = 'alerts';

const objectId = z.string().regex(/^[0-9a-f]{24}$/);

export const alertJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('match'), jobId: objectId }),
  z.object({
    kind: z.literal('alert'),
    jobId: objectId,
    personId: objectId,
    /** The oldest matching subscription (the alert names its keywords). */
    subscriptionId: objectId,
    /** Every matching subscription of theirs is a daily digest one. */
    digest: z.boolean(),
  }),
  z.object({ kind: z.literal('digest'), personId: objectId }),
]);
export type AlertJob = z.infer<typeof alertJobSchema>;

export const alertJobId = (jobId: string, personId: string) => `alert-${jobId}-${personId}`;
export const digestJobId = (personId: string, day: string) => `digest-${personId}-${day}`;

/** Attempts of an alert that fails transiently (exponential from 5 s: about 20 minutes). */
export const ALERT_ATTEMPTS = 8;
export const ALERT_BACKOFF_MS = 5_000;
/** The daily digest goes at this hour, Lhasa time (after the default quiet hours). */
export const DIGEST_HOUR = 9;

/** Redis keys of the alerts (under the deployment's prefix). */
export const alertKeys = (prefix: string) => ({
  /** The postings alerted to a person on a Lhasa day (a set: a retry does not count twice). */
  day: (personId: string, day: string) => `${prefix}alerts:day:${personId}:${day}`,
  /** How many people a posting reached (the job's `reach.alerted` follows it). */
  reach: (jobId: string) => `${prefix}alerts:reach:${jobId}`,
});

export const ALERT_JOB_OPTIONS = {
  attempts: ALERT_ATTEMPTS,
  backoff: { type: 'exponential', delay: ALERT_BACKOFF_MS },
  removeOnComplete: { age: 86_400, count: 10_000 },
  removeOnFail: { age: 7 * 86_400 },
} as const;

/** Adds alert-queue jobs with their once-only ids (a second add while one waits is ignored). */
export async function addAlertJobs(
  queue: Pick<Queue<AlertJob>, 'addBulk'>,
  jobs: readonly { data: AlertJob; id: string; delayMs?: number }[],
): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(
    jobs.map((j) => ({
      name: j.data.kind,
      data: j.data,
      opts: { ...ALERT_JOB_OPTIONS, jobId: j.id, ...(j.delayMs ? { delay: j.delayMs } : {}) },
    })),
  );
}

/** One `alert` job per person a posting matched (what the `match` job adds). */
export function alertJobsFor(
  jobId: string,
  matches: readonly Pick<Match, 'personId' | 'subscriptionId' | 'mode'>[],
): { data: AlertJob; id: string }[] {
  return matches.map((m) => ({
    id: alertJobId(jobId, m.personId),
    data: {
      kind: 'alert',
      jobId,
      personId: m.personId,
      subscriptionId: m.subscriptionId,
      digest: m.mode === 'digest',
    },
  }));
}
