import { Types, type Connection } from 'mongoose';
import type { MessageRepo } from '../messages/message.repo.js';
import type { Lang } from '../messaging/lang.js';
import { caseModels, type CaseDoc } from './case.model.js';

/** What the console, the admin API and the reports read about cases. */
export function createCaseQueries(mongo: Connection, messages: Pick<MessageRepo, 'transcript'>) {
  const { Case, CaseEntry } = caseModels(mongo);
  const get = (caseId: string) =>
    Types.ObjectId.isValid(caseId) ? Case.findById(caseId).lean<CaseDoc>() : Promise.resolve(null);
  return {
    /** Cases for the console and the admin API: open ones longest-waiting first. */
    async list(q: {
      status?: CaseDoc['status'] | 'waiting';
      lang?: Lang;
      counsellorId?: string;
      personId?: string;
      limit: number;
    }) {
      const filter: Record<string, unknown> = {};
      if (q.status === 'waiting') filter.status = { $in: ['open', 'assigned', 'active'] };
      else if (q.status) filter.status = q.status;
      if (q.lang) filter.language = q.lang;
      if (q.counsellorId) filter.counsellorId = q.counsellorId;
      if (q.personId) {
        if (!Types.ObjectId.isValid(q.personId)) return [];
        filter.personId = new Types.ObjectId(q.personId);
      }
      return Case.find(filter)
        .sort(q.status === 'closed' || q.personId ? { openedAt: -1 } : { openedAt: 1 })
        .limit(q.limit)
        .lean<CaseDoc[]>();
    },

    /** The person's log (what a counsellor reads), newest 200 lines. */
    async transcript(caseId: string) {
      const doc = await get(caseId);
      return doc ? messages.transcript(doc.personId.toHexString(), 200) : [];
    },

    /**
     * Satisfaction (standard 8.1) by counsellor for one month of closing: how many rated, and
     * the average (sum / count: FerretDB has no $avg guarantee).
     */
    async satisfaction(month: string) {
      // A plain $group of the closed cases, and the rated ones read (a month's, few): the
      // average is sum / count (DESIGN.md: what FerretDB v1 serves).
      const by = { id: '$counsellorId', name: '$counsellorName' };
      const [closed, ratedDocs] = await Promise.all([
        Case.aggregate<{ _id: { id: string | null; name: string | null }; n: number }>([
          { $match: { closedMonth: month } },
          { $group: { _id: by, n: { $sum: 1 } } },
        ]),
        Case.find({ closedMonth: month, rating: { $gte: 1 } })
          .select({ rating: 1, counsellorId: 1, counsellorName: 1 })
          .lean(),
      ]);
      const rated: { _id: { id: string | null; name: string | null }; n: number; sum: number }[] =
        [];
      for (const d of ratedDocs) {
        const id = { id: d.counsellorId ?? null, name: d.counsellorName ?? null };
        const row = rated.find((r) => r._id.id === id.id && r._id.name === id.name);
        if (row) {
          row.n++;
          row.sum += d.rating ?? 0;
        } else rated.push({ _id: id, n: 1, sum: d.rating ?? 0 });
      }
      const key = (k: { id: string | null; name: string | null }) =>
        `${k.id ?? ''}|${k.name ?? ''}`;
      const ratings = new Map(rated.map((r) => [key(r._id), r]));
      return closed
        .map((c) => {
          const r = ratings.get(key(c._id));
          return {
            counsellorId: c._id.id,
            counsellorName: c._id.name,
            month,
            closed: c.n,
            rated: r?.n ?? 0,
            average: r && r.n > 0 ? Math.round((r.sum / r.n) * 100) / 100 : null,
          };
        })
        .sort((a, b) => (a.counsellorName ?? '').localeCompare(b.counsellorName ?? ''));
    },

    async thread(caseId: string) {
      if (!Types.ObjectId.isValid(caseId)) return [];
      return CaseEntry.find({ caseId: new Types.ObjectId(caseId) })
        .sort({ at: 1 })
        .lean();
    },
  };
}
