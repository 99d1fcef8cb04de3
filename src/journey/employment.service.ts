import type { Queue } from 'bullmq';
import mongoose, { type Connection } from 'mongoose';
import type { JobStarted } from '../engine/flow.schema.js';
import type { Lang } from '../messaging/lang.js';
import {
  personModels,
  type EmploymentDoc,
  type EmploymentFollowupDoc,
} from '../people/person.model.js';
import { cleanPlanText, followupDueAt } from './plan.format.js';
import { employmentJobId, JOURNEY_JOB, type JourneyJob } from './plan.jobs.js';
import type { PersonLock } from './plan.lock.js';

export const FOLLOWUP_MONTHS = [1, 3] as const;
export type FollowupAnswer = EmploymentFollowupDoc['answer'];

/** What a follow-up needs: the record, the person's language, whether they still consent. */
export interface FollowupView {
  employment: EmploymentDoc;
  lang: Lang;
  consented: boolean;
}

export interface EmploymentService {
  /**
   * "I found a job" (with the profile consent): what they said, `at` now, no follow-ups yet; the
   * follow-ups at one and three months are (re)scheduled. A second record replaces the first.
   */
  record(
    personId: string,
    said: { employer?: string; work?: string; startedAt?: JobStarted },
    now: Date,
  ): Promise<'recorded' | 'no-consent' | 'unknown'>;
  /**
   * An answer to the follow-up at `months`, for the record whose token (`recordToken`) the
   * button carries; one answer per follow-up (a second press replaces it).
   */
  answer(
    personId: string,
    token: string,
    months: 1 | 3,
    answer: FollowupAnswer,
    now: Date,
  ): Promise<'recorded' | 'unknown'>;
  followupOf(personId: string): Promise<FollowupView | null>;
  /** The follow-up question went out (its job's once-only guard). */
  asked(personId: string, recordAt: Date, months: 1 | 3, at: Date): Promise<void>;
}

/** A short token of the record a follow-up is about (a button of an older record is stale). */
export const recordToken = (e: Pick<EmploymentDoc, 'at'>) => new Date(e.at).getTime().toString(36);

export function createEmploymentService(deps: {
  mongo: Connection;
  queue: Pick<Queue<JourneyJob>, 'add' | 'remove'>;
  /** One change of a person's record at a time (see PersonLock). */
  lock: PersonLock;
}): EmploymentService {
  const { Person } = personModels(deps.mongo);
  const valid = (id: string) => mongoose.Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id);
  const load = (personId: string) =>
    valid(personId)
      ? Person.findById(personId, { employment: 1, consent: 1, language: 1 }).lean()
      : Promise.resolve(null);

  return {
    async record(personId, said, now) {
      if (!valid(personId)) return 'unknown';
      const employer = said.employer ? cleanPlanText(said.employer) : '';
      const work = said.work ? cleanPlanText(said.work) : '';
      const employment: EmploymentDoc = {
        at: now,
        ...(employer ? { employer } : {}),
        ...(work ? { work } : {}),
        ...(said.startedAt ? { startedAt: said.startedAt } : {}),
        followups: [],
      };
      const res = await deps.lock.run(personId, () =>
        Person.updateOne(
          { _id: personId, 'consent.profile': { $ne: null } },
          { $set: { employment } },
        ),
      );
      if (res.matchedCount === 0)
        return (await Person.exists({ _id: personId })) ? 'no-consent' : 'unknown';
      for (const months of FOLLOWUP_MONTHS) {
        const jobId = employmentJobId(personId, months);
        // A job found again: the follow-ups of the earlier one go.
        await deps.queue.remove(jobId);
        await deps.queue.add(
          'employment',
          { kind: 'employment', personId, months },
          {
            ...JOURNEY_JOB,
            jobId,
            delay: Math.max(0, followupDueAt(now, months).getTime() - now.getTime()),
          },
        );
      }
      return 'recorded';
    },
    async answer(personId, token, months, answer, now) {
      return deps.lock.run(personId, async () => {
        const employment = (await load(personId))?.employment;
        if (!employment || recordToken(employment) !== token) return 'unknown';
        const followups = [
          ...(employment.followups ?? []).filter((f) => f.months !== months),
          { at: now, months, answer },
        ].sort((a, b) => a.months - b.months);
        const res = await Person.updateOne(
          { _id: personId, 'employment.at': employment.at },
          { $set: { 'employment.followups': followups } },
        );
        return res.matchedCount === 1 ? 'recorded' : 'unknown';
      });
    },
    async followupOf(personId) {
      const doc = await load(personId);
      if (!doc?.employment) return null;
      return {
        employment: doc.employment,
        lang: doc.language ?? 'zh-CN',
        consented: Boolean(doc.consent?.profile),
      };
    },
    async asked(personId, recordAt, months, at) {
      if (!valid(personId)) return;
      await deps.lock.run(personId, () =>
        Person.updateOne(
          { _id: personId, 'employment.at': recordAt },
          { $set: { [`employment.askedAt.m${months}`]: at } },
        ),
      );
    },
  };
}
