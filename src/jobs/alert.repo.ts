import { Schema, type Connection, type Model } from 'mongoose';

/**
 * `queued`: matched, its alert job waits; `sending`: a worker took it (a crash here resends);
 * `digest`: held for the person's next daily digest (a digest subscription, or the day's
 * ALERTS_PER_DAY used up); `sent`; `skipped` (posting closed, no subscription left, unreachable).
 */
export type AlertState = 'queued' | 'sending' | 'digest' | 'sent' | 'skipped';

/**
 * One posting × one person: the guard that the same job never alerts the same person twice
 * (its `_id` is `<jobId>:<personId>`, unique on MongoDB and FerretDB alike without a secondary
 * index), and what the digest and the reach counters read.
 */
export interface AlertDoc {
  _id: string;
  jobId: string;
  personId: string;
  state: AlertState;
  /** The subscription whose keywords the alert names. */
  subscriptionId: string;
  matchedAt: Date;
  sentAt?: Date | null;
  via?: string | null;
}

const alertSchema = new Schema<AlertDoc>(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true },
    personId: { type: String, required: true },
    state: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    matchedAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    via: { type: String, default: null },
  },
  { collection: 'job_alerts', versionKey: false },
);
// A person's held alerts (the digest) and everything of a person (erasure, /link).
alertSchema.index({ personId: 1, state: 1 });

function alertModel(conn: Connection): Model<AlertDoc> {
  return (
    (conn.models.JobAlert as Model<AlertDoc> | undefined) ??
    conn.model<AlertDoc>('JobAlert', alertSchema)
  );
}

export const alertId = (jobId: string, personId: string) => `${jobId}:${personId}`;

export interface AlertRepo {
  /** Records the matches not recorded before (a person matched again by an edit stays as is). */
  record(
    jobId: string,
    matches: readonly { personId: string; subscriptionId: string }[],
    at: Date,
  ): Promise<void>;
  /** queued or sending → sending; null when it is held, sent or skipped already. */
  claim(jobId: string, personId: string): Promise<AlertDoc | null>;
  /** Sets the state of one (the worker's outcome). */
  finish(jobId: string, personId: string, state: AlertState, at: Date, via?: string): Promise<void>;
  /** A person's alerts held for the digest, oldest first. */
  held(personId: string): Promise<AlertDoc[]>;
  /** Everything of a person (erasure). */
  removePerson(personId: string): Promise<number>;
  /** Gives a person's records to another (/link); the other's own record of a job wins. */
  moveTo(from: string, to: string): Promise<void>;
}

export function createAlertRepo(conn: Connection): AlertRepo {
  const Alert = alertModel(conn);
  return {
    async record(jobId, matches, at) {
      if (matches.length === 0) return;
      for (let i = 0; i < matches.length; i += 1000) {
        const chunk = matches.slice(i, i + 1000);
        await Alert.bulkWrite(
          chunk.map((m) => ({
            updateOne: {
              filter: { _id: alertId(jobId, m.personId) },
              update: {
                $setOnInsert: {
                  jobId,
                  personId: m.personId,
                  state: 'queued',
                  subscriptionId: m.subscriptionId,
                  matchedAt: at,
                },
              },
              upsert: true,
            },
          })),
          { ordered: false },
        );
      }
    },
    async claim(jobId, personId) {
      return Alert.findOneAndUpdate(
        { _id: alertId(jobId, personId), state: { $in: ['queued', 'sending'] } },
        { $set: { state: 'sending' } },
        { returnDocument: 'after' },
      ).lean();
    },
    async finish(jobId, personId, state, at, via) {
      await Alert.updateOne(
        { _id: alertId(jobId, personId) },
        { $set: { state, ...(state === 'sent' ? { sentAt: at, via: via ?? null } : {}) } },
      );
    },
    async held(personId) {
      return Alert.find({ personId, state: 'digest' }).sort({ matchedAt: 1, _id: 1 }).lean();
    },
    async removePerson(personId) {
      return (await Alert.deleteMany({ personId })).deletedCount;
    },
    async moveTo(from, to) {
      if (from === to) return;
      const docs = await Alert.find({ personId: from }).lean();
      for (const doc of docs) {
        const { _id, ...rest } = doc;
        // The joined person's own record of the same job stays (it was sent, or will be).
        await Alert.updateOne(
          { _id: alertId(doc.jobId, to) },
          { $setOnInsert: { ...rest, personId: to } },
          { upsert: true },
        );
        await Alert.deleteOne({ _id });
      }
    },
  };
}
