import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnce } from './once.js';

// Against the real Redis of the test run (global setup).
describe('runOnce, the answer-once helper of every channel', () => {
  let redis: Redis;
  const key = () => `test:once:${randomUUID()}`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? '');
  });
  afterAll(() => redis.quit());

  it('runs the work once; repeats, even concurrent ones, get the first answer', async () => {
    const k = key();
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 200));
      return `answer ${runs}`;
    };
    const results = await Promise.all([1, 2, 3].map(() => runOnce(redis, k, work)));
    expect(runs).toBe(1);
    expect(results.map((r) => r.status === 'done' && r.body)).toEqual([
      'answer 1',
      'answer 1',
      'answer 1',
    ]);
    expect(results.filter((r) => r.status === 'done' && r.ran)).toHaveLength(1);
    expect(await runOnce(redis, k, work)).toMatchObject({ body: 'answer 1', ran: false });
  });

  it('runs a retry within seconds when the owner died mid-work (its lease lapses)', async () => {
    const k = key();
    // A process that claimed the key and was killed: nobody renews its claim.
    await redis.set(k, `pending:${randomUUID()}`, 'EX', 1);
    const started = Date.now();
    const result = await runOnce(redis, k, async () => 'after the crash', { waitMs: 5_000 });
    expect(result).toMatchObject({ status: 'done', body: 'after the crash', ran: true });
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('keeps a live owner’s claim while its work outlasts the lease (no second run)', async () => {
    const k = key();
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 2_500));
      return 'slow';
    };
    const first = runOnce(redis, k, slow, { leaseSec: 1 });
    await new Promise((r) => setTimeout(r, 1_500)); // past the first lease: renewed meanwhile
    const second = await runOnce(redis, k, slow, { leaseSec: 1, waitMs: 5_000 });
    expect(second).toMatchObject({ status: 'done', body: 'slow', ran: false });
    expect(await first).toMatchObject({ ran: true });
    expect(runs).toBe(1);
  });

  it('lets a retry run after the work failed, and says in_progress after waiting for a live owner', async () => {
    const k = key();
    await expect(
      runOnce(redis, k, () => Promise.reject(new Error('Redis went away'))),
    ).rejects.toThrow('Redis went away');
    expect(await runOnce(redis, k, async () => 'second try')).toMatchObject({ ran: true });

    const busy = key();
    const hold = runOnce(redis, busy, () => new Promise((r) => setTimeout(() => r('x'), 1_000)));
    await new Promise((r) => setTimeout(r, 50));
    expect(await runOnce(redis, busy, async () => 'y', { waitMs: 100 })).toEqual({
      status: 'in_progress',
    });
    await hold;
  });
});
