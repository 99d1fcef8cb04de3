import { STALLS_ALLOWED } from '../lib/stalls.js';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { createKeyLock } from '../lib/key-lock.js';
import { webhookEventModel, type WebhookEventDoc } from './event.model.js';
import { DELIVER_JOB, WEBHOOK_QUEUE, type DeliverJobData } from './outbox.js';
import { createSigner } from './signing.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface WebhookWorkerDeps {
  redisUrl: string;
  prefix: string;
  mongo: Connection;
  log: Logger;
  metrics: Pick<Metrics, 'webhooks'>;
  url: string;
  secret: string;
  /** Exponential backoff: first retry after `baseMs`, doubling up to `maxMs` (10 s … 1 h). */
  backoff?: { baseMs: number; maxMs: number };
  /** How often events still pending without a job are queued again (a lost enqueue). */
  sweepEveryMs?: number;
  timeoutMs?: number;
}

export const backoffDelay = (attempt: number, baseMs: number, maxMs: number) =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));

/**
 * Delivers the outbox to the counsellor system: signed (Standard Webhooks), the same
 * `webhook-id` and body on every attempt, retried with exponential backoff until the event's
 * window ends, then marked undelivered (the admin list and metric show it).
 */
export async function startWebhookWorker(deps: WebhookWorkerDeps) {
  const { baseMs, maxMs } = deps.backoff ?? { baseMs: 10_000, maxMs: 3_600_000 };
  const Event = webhookEventModel(deps.mongo);
  const signer = createSigner(deps.secret);
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(deps.log, 'redis (webhook worker) connection error'));
  const prefix = `${deps.prefix}bull`;
  const caseLock = createKeyLock(connection, deps.prefix, 'webhook-case');

  /** One POST of one event; null when the receiver took it (then marked delivered). */
  async function post(ev: WebhookEventDoc): Promise<string | null> {
    const body = JSON.stringify({
      type: ev.type,
      timestamp: ev.createdAt.toISOString(),
      data: ev.data,
    });
    try {
      const res = await fetch(deps.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signer.headers(ev._id, new Date(), body),
        },
        body,
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) return `HTTP ${res.status}`;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : 'network error';
    }
    await Event.updateOne(
      { _id: ev._id },
      {
        $set: { status: 'delivered', deliveredAt: new Date(), lastError: null },
        $inc: { attempts: 1 },
      },
    );
    deps.metrics.webhooks.inc({ type: ev.type, outcome: 'delivered' });
    return null;
  }

  /**
   * The event, after the earlier events of its case still pending (in the order they were
   * made): after an outage each event's own backoff let later ones arrive first — messages
   * before the case itself.
   */
  async function deliverInOrder(ev: WebhookEventDoc): Promise<string | null> {
    const caseId = typeof ev.data.caseId === 'string' ? ev.data.caseId : undefined;
    if (!caseId) return post(ev);
    return caseLock.run(caseId, async () => {
      // Read under the lock: another job may have delivered this event meanwhile.
      const due = await Event.find({
        status: 'pending',
        'data.caseId': caseId,
        createdAt: { $lte: ev.createdAt },
      })
        .sort({ createdAt: 1 })
        .lean();
      for (const next of due) {
        const failed = await post(next);
        if (failed && next._id !== ev._id)
          return `an earlier event of the case is not delivered (${failed})`;
        if (failed) return failed;
      }
      return null;
    });
  }

  const process = async (job: Job<DeliverJobData>) => {
    const ev = await Event.findById(job.data.eventId).lean();
    if (!ev || ev.status !== 'pending') return;
    const error = await deliverInOrder(ev);
    if (error === null) return;
    await Event.updateOne({ _id: ev._id }, { $set: { lastError: error }, $inc: { attempts: 1 } });
    const next = backoffDelay(job.attemptsMade + 1, baseMs, maxMs);
    if (Date.now() + next > ev.retryUntil.getTime()) {
      await Event.updateOne(
        { _id: ev._id, status: 'pending' },
        { $set: { status: 'undelivered' } },
      );
      deps.metrics.webhooks.inc({ type: ev.type, outcome: 'undelivered' });
      deps.log.error(
        { eventId: ev._id, type: ev.type, error },
        'webhook undelivered: retry window over',
      );
      throw new UnrecoverableError(error);
    }
    deps.metrics.webhooks.inc({ type: ev.type, outcome: 'retried' });
    deps.log.warn(
      { eventId: ev._id, type: ev.type, error, retryInMs: next },
      'webhook delivery failed',
    );
    throw new Error(error);
  };

  const worker = new Worker<DeliverJobData>(WEBHOOK_QUEUE, process, {
    connection,
    prefix,
    concurrency: 5,
    // A worker killed mid-delivery twice must not fail the event's job for good: the event's
    // own retry window decides when to give up (BullMQ's default gives up after one stall).
    maxStalledCount: STALLS_ALLOWED,
    settings: {
      backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, baseMs, maxMs),
    },
  });
  worker.on('error', throttledWarn(deps.log, 'webhook worker error'));

  // An event recorded whose job was never added (Redis away at that moment) is queued again.
  const queue = new Queue<DeliverJobData>(WEBHOOK_QUEUE, { connection, prefix });
  queue.on('error', () => undefined);
  const sweep = async () => {
    const stale = await Event.find({
      status: 'pending',
      createdAt: { $lt: new Date(Date.now() - 30_000) },
    })
      .select({ _id: 1 })
      .limit(500)
      .lean();
    for (const ev of stale) {
      // A job that failed while its event is still pending (stalled, an unexpected error) would
      // keep its id, and adding it again would do nothing: it is taken out first.
      const old = await queue.getJob(ev._id);
      if (old && (await old.isFailed())) await old.remove();
      await queue.add('deliver', { eventId: ev._id }, { jobId: ev._id, ...DELIVER_JOB });
    }
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => deps.log.warn({ err }, 'webhook sweep failed'));
  }, deps.sweepEveryMs ?? 60_000);
  timer.unref();

  return {
    worker,
    /** A producer on the same queue (the worker process's own events: escalations). */
    queue,
    /** Queues the pending events whose job is missing or failed (every minute; tests call it). */
    sweep,
    async close() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
