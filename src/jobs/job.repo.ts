import { Types, type Connection } from 'mongoose';
import {
  jobModel,
  type JobDoc,
  type JobSource,
  type JobText,
  type StoredJobStatus,
} from './job.model.js';
import type { JobStatus } from './job.schema.js';

/** A posting as written: everything but its id and counters. */
export interface NewJob {
  title: JobText;
  employer: string;
  district: string;
  category?: string | null | undefined;
  description: JobText;
  contact: string;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
  source: JobSource;
}

/** The fields an edit may change. */
export type JobChanges = Partial<
  Pick<
    NewJob,
    'title' | 'employer' | 'district' | 'category' | 'description' | 'contact' | 'expiresAt'
  >
>;

export interface JobFilter {
  status?: JobStatus | undefined;
  district?: string | undefined;
}

export interface JobRepo {
  create(job: NewJob): Promise<JobDoc>;
  /** A visible posting (open, expired or closed; not an unfinished import's row), or null. */
  get(id: string): Promise<JobDoc | null>;
  /** Newest first (createdAt, then id); `cursor` is the last id of the previous page. */
  list(filter: JobFilter, limit: number, now: Date, cursor?: string): Promise<JobDoc[]>;
  /** Changes a posting that is not closed; null when there is none such. */
  update(id: string, changes: JobChanges, by: string, now: Date): Promise<JobDoc | null>;
  /** open → closed; null when the posting is not open (closed already, or unknown). */
  close(id: string, by: string, now: Date): Promise<JobDoc | null>;
  /** Counts people reached (the alerts and recommendations call this). */
  addReach(id: string, kind: 'alerted' | 'recommended', n?: number): Promise<void>;
  /**
   * Raises a reach counter to `n` (never lowers it): the alerts count in Redis and write the
   * total here, so concurrent workers cannot lose an increment of one document.
   */
  raiseReach(id: string, kind: 'alerted' | 'recommended', n: number): Promise<void>;
  /** An import's rows, written hidden (`importing`) under its id; returns their ids. */
  insertImported(jobs: NewJob[], importId: string): Promise<string[]>;
  /** Makes an import's rows visible (`open`) at once; returns how many. */
  publishImport(importId: string, now: Date): Promise<number>;
  /** Removes an import's rows again (a failed import); returns how many. */
  removeImport(importId: string): Promise<number>;
  /** Removes the hidden rows of imports begun before `before` (a process died midway). */
  removeStaleImports(before: Date): Promise<number>;
  /** The posting's text was matched (saved since `at`: still pending). */
  matched(id: string, at: Date): Promise<void>;
  /** Ids of open postings saved before `before` and never matched (their match job was lost). */
  unmatched(before: Date, limit: number): Promise<string[]>;
}

const ID = /^[0-9a-f]{24}$/i;
const VISIBLE: StoredJobStatus[] = ['open', 'closed'];

/** The stored condition of a status as the admin sees it (`expired` is `open` past its date). */
export function statusFilter(status: JobStatus | undefined, now: Date): Record<string, unknown> {
  if (status === 'open') return { status: 'open', expiresAt: { $gt: now } };
  if (status === 'expired') return { status: 'open', expiresAt: { $lte: now } };
  if (status === 'closed') return { status: 'closed' };
  return { status: { $in: VISIBLE } };
}

export function createJobRepo(conn: Connection): JobRepo {
  const Job = jobModel(conn);
  const byId = (id: string) => ({ _id: new Types.ObjectId(id) });
  return {
    async create(job) {
      const doc = await Job.create({
        ...job,
        status: 'open',
        updatedAt: job.createdAt,
        matchPending: true,
      });
      return doc.toObject();
    },
    async get(id) {
      if (!ID.test(id)) return null;
      return Job.findOne({ ...byId(id), status: { $in: VISIBLE } }).lean();
    },
    async list(filter, limit, now, cursor) {
      const and: Record<string, unknown>[] = [statusFilter(filter.status, now)];
      if (filter.district) and.push({ district: filter.district });
      if (cursor && ID.test(cursor)) {
        const last = await Job.findOne(byId(cursor), { createdAt: 1 }).lean();
        const _id = new Types.ObjectId(cursor);
        and.push(
          last
            ? {
                $or: [
                  { createdAt: { $lt: last.createdAt } },
                  { createdAt: last.createdAt, _id: { $lt: _id } },
                ],
              }
            : { _id: { $lt: _id } },
        );
      }
      return Job.find({ $and: and }).sort({ createdAt: -1, _id: -1 }).limit(limit).lean();
    },
    async update(id, changes, by, now) {
      if (!ID.test(id)) return null;
      const set: Record<string, unknown> = { updatedAt: now, updatedBy: by, matchPending: true };
      const unset: Record<string, ''> = {};
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) continue;
        // A new text replaces the whole text (a Tibetan version of the old one would be stale).
        if (key === 'title' || key === 'description') {
          const t = value as JobText;
          set[`${key}.zh-CN`] = t['zh-CN'];
          if (t.bo === undefined) unset[`${key}.bo`] = '';
          else set[`${key}.bo`] = t.bo;
        } else set[key] = value;
      }
      return Job.findOneAndUpdate(
        { ...byId(id), status: 'open' },
        Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set },
        { returnDocument: 'after' },
      ).lean();
    },
    async close(id, by, now) {
      if (!ID.test(id)) return null;
      return Job.findOneAndUpdate(
        { ...byId(id), status: 'open' },
        { $set: { status: 'closed', closedAt: now, closedBy: by, updatedAt: now, updatedBy: by } },
        { returnDocument: 'after' },
      ).lean();
    },
    async addReach(id, kind, n = 1) {
      if (!ID.test(id)) return;
      await Job.updateOne(byId(id), { $inc: { [`reach.${kind}`]: n } });
    },
    async raiseReach(id, kind, n) {
      if (!ID.test(id)) return;
      await Job.updateOne(byId(id), { $max: { [`reach.${kind}`]: n } });
    },
    async matched(id, at) {
      if (!ID.test(id)) return;
      // Only when not saved again since the match began (that save's own match is pending).
      await Job.updateOne(
        { ...byId(id), updatedAt: { $lte: at } },
        { $set: { matchPending: false } },
      );
    },
    async unmatched(before, limit) {
      const docs = await Job.find(
        { matchPending: true, status: 'open', updatedAt: { $lt: before } },
        { _id: 1 },
      )
        .limit(limit)
        .lean();
      return docs.map((d) => String(d._id));
    },
    async insertImported(jobs, importId) {
      const docs = await Job.insertMany(
        jobs.map((j) => ({
          ...j,
          status: 'importing',
          updatedAt: j.createdAt,
          matchPending: true,
          source: { ...j.source, importId },
        })),
        { ordered: true, lean: true },
      );
      return docs.map((d) => String(d._id));
    },
    async publishImport(importId, now) {
      const res = await Job.updateMany(
        { 'source.importId': importId, status: 'importing' },
        { $set: { status: 'open', updatedAt: now } },
      );
      return res.modifiedCount;
    },
    async removeImport(importId) {
      const res = await Job.deleteMany({ 'source.importId': importId });
      return res.deletedCount;
    },
    async removeStaleImports(before) {
      const res = await Job.deleteMany({ status: 'importing', createdAt: { $lt: before } });
      return res.deletedCount;
    },
  };
}
