import type { Connection } from 'mongoose';
import { webhookEventModel } from '../webhooks/event.model.js';
import { caseModels } from './case.model.js';

/**
 * Retention of what the handoff keeps (no TTL indexes on FerretDB v1): closed cases with their
 * threads and resolved complaints after RETENTION_CASES_DAYS; webhook events (they carry
 * transcripts) once settled, after RETENTION_MESSAGES_DAYS like the conversation log.
 */
export function createCaseRetention(mongo: Connection) {
  const { Case, CaseEntry, Complaint } = caseModels(mongo);
  const Event = webhookEventModel(mongo);
  return {
    async deleteCasesBefore(before: Date): Promise<number> {
      let deleted = 0;
      for (;;) {
        const old = await Case.find({ status: 'closed', closedAt: { $lt: before } })
          .select({ _id: 1 })
          .limit(1000)
          .lean();
        if (old.length === 0) break;
        const ids = old.map((c) => c._id);
        await CaseEntry.deleteMany({ caseId: { $in: ids } });
        deleted += (await Case.deleteMany({ _id: { $in: ids } })).deletedCount;
      }
      const complaints = await Complaint.deleteMany({
        status: 'resolved',
        resolvedAt: { $lt: before },
      });
      return deleted + complaints.deletedCount;
    },
    async deleteEventsBefore(before: Date): Promise<number> {
      const res = await Event.deleteMany({
        status: { $in: ['delivered', 'undelivered', 'skipped'] },
        createdAt: { $lt: before },
      });
      return res.deletedCount;
    },
  };
}

export type CaseRetention = ReturnType<typeof createCaseRetention>;
