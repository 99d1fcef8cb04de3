import { Types, type Model } from 'mongoose';
import { setFollowupField, type CaseDoc } from './case.model.js';
import type { HandoffJob } from './queue.js';

/**
 * After a case: a counsellor's follow-ups (scheduled, answered by the case's own person) and the
 * person's rating and comment. Part of the handoff service.
 */
export function createCaseAftercare(deps: {
  Case: Model<CaseDoc>;
  enqueue: (job: HandoffJob, opts?: { delay?: number; jobId?: string }) => Promise<unknown>;
}) {
  const { Case, enqueue } = deps;
  return {
    /** A check-in at `at` (the worker sends it; quiet hours hold it). */
    async scheduleFollowup(caseId: string, at: Date, note: string, now: Date) {
      if (!Types.ObjectId.isValid(caseId)) return 'unknown' as const;
      const doc = await Case.findById(caseId).select({ _id: 1 }).lean();
      if (!doc) return 'unknown' as const;
      const id = new Types.ObjectId().toHexString().slice(-8);
      await Case.updateOne({ _id: doc._id }, { $push: { followups: { id, at, note } } });
      await enqueue(
        { kind: 'followup', caseId, followupId: id },
        { delay: Math.max(0, at.getTime() - now.getTime()), jobId: `followup-${caseId}-${id}` },
      );
      return id;
    },

    /** A rating (1-5) of a closed case by its own person; false when it is not theirs. */
    async rate(caseId: string, personId: string, rating: number, now: Date): Promise<boolean> {
      if (!Types.ObjectId.isValid(caseId) || !Types.ObjectId.isValid(personId)) return false;
      const res = await Case.updateOne(
        { _id: caseId, personId: new Types.ObjectId(personId), status: 'closed' },
        { $set: { rating, ratedAt: now } },
      );
      return res.matchedCount > 0;
    },

    async comment(caseId: string, text: string): Promise<void> {
      await Case.updateOne({ _id: caseId }, { $set: { ratingComment: text } });
    },

    /** Whether the follow-up is one of this person's own cases (a button is only an id). */
    async ownsFollowup(caseId: string, personId: string, followupId: string): Promise<boolean> {
      if (!Types.ObjectId.isValid(caseId) || !Types.ObjectId.isValid(personId)) return false;
      const doc = await Case.findOne({ _id: caseId, personId: new Types.ObjectId(personId) })
        .select({ followups: 1 })
        .lean();
      return doc?.followups.some((f) => f.id === followupId) ?? false;
    },

    async followupAnswered(caseId: string, followupId: string, now: Date) {
      await setFollowupField(Case, caseId, followupId, 'answeredAt', now);
    },
  };
}
