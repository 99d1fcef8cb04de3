import { z } from 'zod';
import type { PersonDoc } from '../people/person.model.js';

/** The journey's queue: action-plan reminders and the follow-ups after "I found a job". */
export const JOURNEY_QUEUE = 'journey';

/** Ids only: the text is read when the job runs (and is gone with the person). */
export type JourneyJob =
  /** A step of the action plan is due: remind the person (quiet hours hold it). */
  | { kind: 'plan'; personId: string; stepId: string }
  /** One or three months after "I found a job": still there? (quiet hours hold it). */
  | { kind: 'employment'; personId: string; months: 1 | 3 };

const personId = z.string().regex(/^[0-9a-f]{24}$/);
/** What the worker accepts (anything else in the queue is not ours to run). */
export const journeyJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), personId, stepId: z.string().regex(/^[0-9a-f]{12}$/) }),
  z.object({
    kind: z.literal('employment'),
    personId,
    months: z.union([z.literal(1), z.literal(3)]),
  }),
]);

export const JOURNEY_JOB = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 5_000 },
  // A completed job's id must be free again (a job found again re-adds its follow-ups).
  removeOnComplete: true,
  removeOnFail: 5000,
} as const;

export const planJobId = (personId: string, stepId: string) => `plan-${personId}-${stepId}`;
export const employmentJobId = (personId: string, months: 1 | 3) =>
  `employment-${personId}-${months}m`;

/** Every job id that may be waiting in the journey queue for this person (for /delete). */
export function journeyJobIds(doc: Pick<PersonDoc, '_id' | 'plan' | 'employment'>): string[] {
  const personId = doc._id.toHexString();
  return [
    ...(doc.plan ?? []).map((s) => planJobId(personId, s.id)),
    ...(doc.employment ? [employmentJobId(personId, 1), employmentJobId(personId, 3)] : []),
  ];
}
