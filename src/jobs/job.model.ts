import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A text given in Chinese, with a Tibetan version when there is one (job texts are usually Chinese). */
export interface JobText {
  'zh-CN': string;
  bo?: string | undefined;
}

/**
 * Stored statuses. `expired` is not stored: an `open` posting past its `expiresAt` reads as
 * expired (see `jobStatus`), so no sweep can lag behind or be left half done by a crash.
 * `importing` marks the rows of a CSV import not yet finished: every query for postings names
 * `open` or `closed`, so nobody sees (or alerts on) half an import.
 */
export type StoredJobStatus = 'open' | 'closed' | 'importing';

/** Where a posting came from: the admin API (or its page), or a line of an imported CSV file. */
export interface JobSource {
  kind: 'api' | 'csv';
  /** The CSV file's name (no directories). */
  file?: string | undefined;
  /** The CSV line the row starts on (the header is line 1). */
  line?: number | undefined;
  /** One id per import run: its rows are made visible, or removed, together. */
  importId?: string | undefined;
}

/** A job posting (standard 7.2(5): job information and recommendations). */
export interface JobDoc {
  _id: Types.ObjectId;
  title: JobText;
  employer: string;
  /** One of Lhasa's eight districts and counties, by its Chinese name (the glossary's `zh`). */
  district: string;
  /** A lower-case slug (`security`, `cleaning`…); absent when not given. */
  category?: string | null;
  description: JobText;
  /** How to apply: a phone number, an address, a person. */
  contact: string;
  expiresAt: Date;
  status: StoredJobStatus;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The text changed and the alert worker has not matched it yet (set with every save, cleared
   * by the match job; the worker's sweep queues a match for one left set).
   */
  matchPending?: boolean;
  /** The acting account's user name (`cli` for the CSV import). */
  createdBy: string;
  updatedBy?: string | null;
  closedAt?: Date | null;
  closedBy?: string | null;
  /** How many people this posting reached (the alerts and recommendations increment these). */
  reach: { alerted: number; recommended: number };
  source: JobSource;
}

const textSchema = new Schema<JobText>(
  { 'zh-CN': { type: String, required: true }, bo: { type: String } },
  { _id: false },
);

const jobSchema = new Schema<JobDoc>(
  {
    title: { type: textSchema, required: true },
    employer: { type: String, required: true },
    district: { type: String, required: true },
    category: { type: String, default: null },
    description: { type: textSchema, required: true },
    contact: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    matchPending: { type: Boolean, default: false },
    createdBy: { type: String, required: true },
    updatedBy: { type: String, default: null },
    closedAt: { type: Date, default: null },
    closedBy: { type: String, default: null },
    reach: {
      type: new Schema(
        { alerted: { type: Number, default: 0 }, recommended: { type: Number, default: 0 } },
        { _id: false },
      ),
      default: () => ({ alerted: 0, recommended: 0 }),
    },
    source: {
      type: new Schema<JobSource>(
        {
          kind: { type: String, required: true },
          file: { type: String },
          line: { type: Number },
          importId: { type: String },
        },
        { _id: false },
      ),
      required: true,
    },
  },
  { collection: 'jobs', versionKey: false },
);
// The admin list: newest first, by status (open / expired are `open` split by expiresAt).
jobSchema.index({ status: 1, createdAt: -1 });
// The admin list without a status filter, and its paging (createdAt, then _id).
jobSchema.index({ createdAt: -1 });
// The admin list by district.
jobSchema.index({ district: 1, createdAt: -1 });
// An import's rows: made visible, or removed again, together.
jobSchema.index({ 'source.importId': 1 });

export function jobModel(conn: Connection): Model<JobDoc> {
  return (conn.models.Job as Model<JobDoc> | undefined) ?? conn.model<JobDoc>('Job', jobSchema);
}
