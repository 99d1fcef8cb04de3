/**
 * Events to the counsellor system arrive in the order they were made, per case, after an
 * outage: each event had its own backoff, so the first message of a case came before the case
 * (a fault injector's run: three messages, then handoff.requested 26 s later).
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker } from '../src/webhooks/deliver.worker.js';
import { createOutbox } from '../src/webhooks/outbox.js';
import { startTestApp, type TestApp } from './support/app.js';
import { newSecret, startCounsellorSystem, type CounsellorSystem } from './support/counsellor.js';

const SECRET = newSecret();
let office: CounsellorSystem;
let t: TestApp;
let worker: Awaited<ReturnType<typeof startWebhookWorker>>;
const PREFIX = `test:whorder:${randomUUID()}:`;

beforeAll(async () => {
  office = await startCounsellorSystem(SECRET);
  t = await startTestApp({}, { listen: false });
  worker = await startWebhookWorker({
    redisUrl: t.deps.config.REDIS_URL,
    prefix: PREFIX,
    mongo: t.deps.mongo,
    log: pino({ level: 'silent' }),
    metrics: t.deps.metrics,
    url: office.url,
    secret: SECRET,
    // A long backoff: the first event waits 4 s after failing.
    backoff: { baseMs: 4_000, maxMs: 4_000 },
  });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await office?.close();
});

describe('webhook events of one case', () => {
  it('are delivered in the order made when the receiver comes back', async () => {
    const outbox = createOutbox(t.deps.mongo, worker.queue, { configured: true });
    const caseId = randomUUID().replace(/-/gu, '').slice(0, 24);
    office.setDown(true);
    const opened = await outbox.emit('handoff.requested', { caseId, reason: 'asked' });
    // It failed once and waits out its backoff.
    await expect
      .poll(() => office.attempts.filter((a) => a.id === opened && a.status === 503).length, {
        timeout: 5_000,
      })
      .toBeGreaterThan(0);
    office.setDown(false);
    await outbox.emit('case.message', { caseId, text: 'A' });
    await outbox.emit('case.message', { caseId, text: 'B' });
    await expect
      .poll(() => office.events.filter((e) => e.data.caseId === caseId).length, {
        timeout: 15_000,
      })
      .toBe(3);
    const order = office.events
      .filter((e) => e.data.caseId === caseId)
      .map((e) => (e.type === 'handoff.requested' ? 'case' : String(e.data.text)));
    expect(order).toEqual(['case', 'A', 'B']);
  });

  it('a pending event whose job failed (its worker killed twice mid-delivery) is queued again', async () => {
    // A fault injector's run: the job failed for good on its second stall, the sweep's add with
    // the same job id did nothing, and the event stayed pending with nobody told.
    await worker.worker.pause();
    const outbox = createOutbox(t.deps.mongo, worker.queue, { configured: true });
    const caseId = randomUUID().replace(/-/gu, '').slice(0, 24);
    const id = await outbox.emit('handoff.requested', { caseId, reason: 'asked' });
    const failing = new Worker(
      worker.queue.name,
      () => Promise.reject(new UnrecoverableError('job stalled more than allowable limit')),
      { connection: worker.queue.opts.connection, prefix: worker.queue.opts.prefix },
    );
    await expect
      .poll(async () => (await worker.queue.getJob(id))?.isFailed(), { timeout: 5_000 })
      .toBe(true);
    await failing.close();
    await worker.worker.resume();
    await t.deps.mongo
      .collection('webhook_events')
      .updateOne({ _id: id as never }, { $set: { createdAt: new Date(Date.now() - 60_000) } });
    await worker.sweep();
    await expect
      .poll(() => office.events.filter((e) => e.data.caseId === caseId).length, { timeout: 10_000 })
      .toBe(1);
  });
});
