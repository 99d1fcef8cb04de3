import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendBudget } from './budget.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6381';
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  await redis.quit();
});
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("Telegram's shared budget (live replies first)", () => {
  it('outreach waits when the last second and room for live replies reach the budget', async () => {
    const budget = createSendBudget(redis, `test:${randomUUID()}:`, 15);
    expect(await budget.waitMs()).toBe(0);
    for (let i = 0; i < 10; i++) budget.count(1, false);
    await settle();
    // 10 sent + room for half as many live replies again = 15: wait a bucket.
    expect(await budget.waitMs()).toBe(100);
  });

  it('outreach alone keeps one message of room, not more', async () => {
    const budget = createSendBudget(redis, `test:${randomUUID()}:`, 15);
    for (let i = 0; i < 10; i++) budget.count(1, true);
    await settle();
    expect(await budget.waitMs()).toBe(0);
    for (let i = 0; i < 4; i++) budget.count(1, true);
    await settle();
    expect(await budget.waitMs()).toBe(100);
  });

  it('forgets what is older than a second', async () => {
    const budget = createSendBudget(redis, `test:${randomUUID()}:`, 15);
    for (let i = 0; i < 20; i++) budget.count(1, false);
    await settle();
    expect(await budget.waitMs()).toBe(100);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await budget.waitMs()).toBe(0);
  });
});
