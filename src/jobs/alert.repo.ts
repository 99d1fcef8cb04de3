import { Schema, type Connection, type Model } from 'mongoose';

/**
 * `queued`: (not written today: kept for records of older versions); `sending`: a worker took it
 * (a crash here resends);
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
  /**
   * Takes one person's alert of one posting: a new record (`sending`), or one a crashed attempt
   * left `sending`; null when it was sent, held for the digest or skipped already (never twice).
   */
  claim(alert: {
    jobId: string;
    personId: string;
    subscriptionId: string;
    at: Date;
  }): Promise<AlertDoc | null>;
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
    async claim({ jobId, personId, subscriptionId, at }) {
      const _id = alertId(jobId, personId);
      try {
        const doc = await Alert.create({
          _id,
          jobId,
          personId,
          state: 'sending',
          subscriptionId,
          matchedAt: at,
        });
        return doc.toObject();
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
      return Alert.findOneAndUpdate(
        { _id, state: { $in: ['queued', 'sending'] } },
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

/** E11000: the record exists (the `_id` is the posting and the person). */
function isDuplicate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
