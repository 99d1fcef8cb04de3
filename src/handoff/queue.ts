/** The handoff queue: everything the worker sends to a person about a case, and its timers. */
export const HANDOFF_QUEUE = 'handoff';

/** Ids only (the text is read when the job runs). */
export type HandoffJob =
  /** A counsellor's line to deliver to the person. */
  | { kind: 'reply'; entryId: string }
  /** The case closed: the person is told and asked to rate it. */
  | { kind: 'closed'; caseId: string }
  /** The first-response timer: escalates when nobody has answered by then. */
  | { kind: 'sla'; caseId: string }
  /** A follow-up check-in at its time (quiet hours hold it). */
  | { kind: 'followup'; caseId: string; followupId: string }
  /** A complaint's outcome to tell the person. */
  | { kind: 'outcome'; ticketId: string };

export const HANDOFF_JOB = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
} as const;
