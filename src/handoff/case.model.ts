import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Lang } from '../messaging/lang.js';

export const CASE_REASONS = ['asked', 'not-understood', 'distress', 'voice', 'complaint'] as const;
export type CaseReason = (typeof CASE_REASONS)[number];
export type CaseStatus = 'open' | 'assigned' | 'active' | 'closed';

/** What a counsellor needs at a glance (DESIGN.md: the summary no transcript gives). */
export interface CaseSummary {
  topics: string[];
  answered: number;
  unanswered: number;
  /** Questions the assistant could not answer, newest last (at most 5, each cut short). */
  unansweredQuestions: string[];
  distress: boolean;
  language: Lang;
  channel: string;
  messages: number;
}

export interface Followup {
  id: string;
  at: Date;
  note: string;
  sentAt?: Date | null;
  answeredAt?: Date | null;
}

/** A handoff to a person (standard 7.1, 7.2(3)): open → assigned → active → closed. */
export interface CaseDoc {
  _id: Types.ObjectId;
  personId: Types.ObjectId;
  channel: string;
  /** The channel's address of the person (replies go back to the same chat). */
  chatId: string;
  language: Lang;
  reason: CaseReason;
  status: CaseStatus;
  counsellorId: string | null;
  counsellorName: string | null;
  openedAt: Date;
  /** `YYYY-MM` of opening in Lhasa (reports by month). */
  month: string;
  assignedAt?: Date | null;
  firstResponseAt?: Date | null;
  /** When the first response is due (working time); null: no timer. */
  dueAt?: Date | null;
  escalatedAt?: Date | null;
  closedAt?: Date | null;
  closedBy?: 'counsellor' | 'person' | null;
  lastPersonAt?: Date | null;
  summary: CaseSummary;
  rating?: number | null;
  ratingComment?: string | null;
  ratedAt?: Date | null;
  /** `YYYY-MM` of the closing (satisfaction reports by month). */
  closedMonth?: string | null;
  followups: Followup[];
}

/** One line of a case's own thread (the person, the assistant's notes, the counsellor). */
export interface CaseEntryDoc {
  _id: Types.ObjectId;
  caseId: Types.ObjectId;
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  mediaUrl?: string | null;
  at: Date;
  /** Counsellor lines: when the person's channel took it (null: waiting for a reply window). */
  deliveredAt?: Date | null;
  /** Counsellor lines the channel refused for good (not tried again). */
  failedAt?: Date | null;
}

/** A complaint ticket (standard 8.2): the office answers it with an outcome the person receives. */
export interface ComplaintDoc {
  /** The ticket number the person is given (`TS…`). */
  _id: string;
  personId: Types.ObjectId;
  channel: string;
  chatId: string;
  language: Lang;
  text: string;
  caseId: Types.ObjectId | null;
  status: 'open' | 'resolved';
  createdAt: Date;
  dueAt: Date;
  resolvedAt?: Date | null;
  outcome?: string | null;
  /** The message that filed it (`channel:chatId:messageId`), so a retried turn files it once. */
  source?: string;
}

const followupSchema = new Schema<Followup>(
  {
    id: { type: String, required: true },
    at: { type: Date, required: true },
    note: { type: String, default: '' },
    sentAt: { type: Date, default: null },
    answeredAt: { type: Date, default: null },
  },
  { _id: false },
);

const caseSchema = new Schema<CaseDoc>(
  {
    personId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    chatId: { type: String, required: true },
    language: { type: String, required: true },
    reason: { type: String, enum: CASE_REASONS, required: true },
    status: { type: String, required: true },
    counsellorId: { type: String, default: null },
    counsellorName: { type: String, default: null },
    openedAt: { type: Date, required: true },
    month: { type: String, required: true },
    assignedAt: { type: Date, default: null },
    firstResponseAt: { type: Date, default: null },
    dueAt: { type: Date, default: null },
    escalatedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    closedBy: { type: String, default: null },
    lastPersonAt: { type: Date, default: null },
    summary: { type: Schema.Types.Mixed, required: true },
    rating: { type: Number, default: null },
    ratingComment: { type: String, default: null },
    ratedAt: { type: Date, default: null },
    closedMonth: { type: String, default: null },
    followups: { type: [followupSchema], default: [] },
  },
  { collection: 'cases', versionKey: false, minimize: false },
);
caseSchema.index({ status: 1, openedAt: 1 });
caseSchema.index({ personId: 1, openedAt: -1 });
caseSchema.index({ closedMonth: 1 });

const entrySchema = new Schema<CaseEntryDoc>(
  {
    caseId: { type: Schema.Types.ObjectId, required: true },
    from: { type: String, required: true },
    text: { type: String, default: '' },
    mediaUrl: { type: String, default: null },
    at: { type: Date, required: true },
    deliveredAt: { type: Date, default: null },
    /** A reply the channel refused for good (blocked, rejected): not tried again. */
    failedAt: { type: Date, default: null },
  },
  { collection: 'case_entries', versionKey: false },
);
entrySchema.index({ caseId: 1, at: 1 });

const complaintSchema = new Schema<ComplaintDoc>(
  {
    _id: { type: String, required: true },
    personId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    chatId: { type: String, required: true },
    language: { type: String, required: true },
    text: { type: String, required: true },
    caseId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
    outcome: { type: String, default: null },
    source: { type: String },
  },
  { collection: 'complaints', versionKey: false },
);
complaintSchema.index({ status: 1, dueAt: 1 });

export function caseModels(conn: Connection) {
  const get = <T>(name: string, schema: Schema<T>): Model<T> =>
    (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
  return {
    Case: get('Case', caseSchema),
    CaseEntry: get('CaseEntry', entrySchema),
    Complaint: get('Complaint', complaintSchema),
  };
}

/**
 * Sets one field of one follow-up by its position (FerretDB v1 has no positional `$`); the
 * filter on the id at that position keeps a concurrent change from hitting the wrong one.
 */
export async function setFollowupField(
  Case: Model<CaseDoc>,
  caseId: string,
  followupId: string,
  field: 'sentAt' | 'answeredAt',
  at: Date,
): Promise<void> {
  const doc = await Case.findById(caseId).select({ followups: 1 }).lean();
  const i = doc?.followups.findIndex((f) => f.id === followupId) ?? -1;
  if (i < 0) return;
  await Case.updateOne(
    { _id: caseId, [`followups.${i}.id`]: followupId },
    { $set: { [`followups.${i}.${field}`]: at } },
  );
}
