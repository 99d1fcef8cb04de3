import { createHash, randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { onlyDuplicates } from '../lib/db-errors.js';
import { webhookEventModel, type WebhookEventDoc } from './event.model.js';

/** The outbound webhook queue: one job per event, id = the event's `webhook-id`. */
export const WEBHOOK_QUEUE = 'webhooks';

/**
 * The job retries until the event's own `retryUntil` (the processor decides; the attempt count
 * is only a bound), with the worker's exponential backoff.
 */
export const DELIVER_JOB = {
  attempts: 10_000,
  backoff: { type: 'custom' },
  removeOnComplete: 1000,
  removeOnFail: 1000,
} as const;

/** Events this service sends (DESIGN.md, "Counsellor webhooks"). */
export type OutboundType =
  'handoff.requested' | 'case.message' | 'case.escalated' | 'complaint.created' | 'person.deleted';

export interface DeliverJobData {
  eventId: string;
}

/** How long an event is retried before it is marked undelivered (DESIGN.md: at least 24 h). */
export const RETRY_WINDOW_MS = 25 * 60 * 60 * 1000;

export interface WebhookEvent {
  id: string;
  type: string;
  status: WebhookEventDoc['status'];
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface Outbox {
  /**
   * Records the event, then queues its delivery (ids only in the job). Without a counsellor URL
   * the event is recorded as `skipped` (the console is then the counsellors' only view).
   */
  /**
   * Records the event and queues it. With `id` (eventIdOf a thing that happens once) a second
   * emit of it changes nothing: a retried turn does not tell the office twice.
   */
  emit(
    type: OutboundType,
    data: Record<string, unknown>,
    now?: Date,
    opts?: { id?: string },
  ): Promise<string>;
  list(q: { status?: WebhookEventDoc['status']; limit: number }): Promise<WebhookEvent[]>;
  /** Queues an undelivered event again, with a fresh retry window; false when unknown. */
  /** 'delivered': it already reached the receiver (nothing to send again). */
  redeliver(id: string, now?: Date): Promise<'ok' | 'unknown' | 'delivered'>;
  undeliveredCount(): Promise<number>;
}

/** `msg_` and 24 random base32 characters: unique, stable for every attempt of the event. */
export const newEventId = () =>
  `msg_${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`;

/** The event id of something that happens once (`complaint:TS…`), in newEventId's shape. */
export const eventIdOf = (what: string) =>
  `msg_${createHash('sha256').update(what).digest('base64url').slice(0, 24).replace(/[-_]/g, 'x')}`;

export function createOutbox(
  conn: Connection,
  queue: Queue<DeliverJobData> | undefined,
  opts: { configured: boolean; retryWindowMs?: number },
): Outbox {
  const Event = webhookEventModel(conn);
  const windowMs = opts.retryWindowMs ?? RETRY_WINDOW_MS;
  const enqueue = (id: string, jobId = id) =>
    queue?.add('deliver', { eventId: id }, { jobId, ...DELIVER_JOB });
  return {
    async emit(type, data, now = new Date(), once = {}) {
      const id = once.id ?? newEventId();
      const status = opts.configured ? 'pending' : 'skipped';
      try {
        await Event.create({
          _id: id,
          type,
          data,
          status,
          attempts: 0,
          createdAt: now,
          retryUntil: new Date(now.getTime() + windowMs),
        });
      } catch (err) {
        // Recorded already (the same `once.id`): queued then, or by the worker's sweep.
        if (once.id && onlyDuplicates(err)) return id;
        throw err;
      }
      if (status === 'pending') await enqueue(id);
      return id;
    },
    async list({ status, limit }) {
      const docs = await Event.find(status ? { status } : {})
        .sort({ createdAt: -1 })
        .limit(limit)
        .lean();
      return docs.map((d) => ({
        id: d._id,
        type: d.type,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError ?? null,
        createdAt: d.createdAt.toISOString(),
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
      }));
    },
    async redeliver(id, now = new Date()) {
      const res = await Event.updateOne(
        { _id: id, status: { $in: ['undelivered', 'pending'] } },
        { $set: { status: 'pending', retryUntil: new Date(now.getTime() + windowMs) } },
      );
      if (res.matchedCount === 0)
        return (await Event.exists({ _id: id })) ? 'delivered' : 'unknown';
      // One job per event: a failed or finished one is taken out and the event queued again
      // under its own id (a second job id beside it met the sweep's re-add: two live jobs
      // posting one event). A job still waiting or running goes on as it is.
      const job = await queue?.getJob(id);
      if (job) {
        const state = await job.getState();
        if (state === 'failed' || state === 'completed') await job.remove();
        else return 'ok';
      }
      await enqueue(id);
      return 'ok';
    },
    undeliveredCount: () => Event.countDocuments({ status: 'undelivered' }),
  };
}
