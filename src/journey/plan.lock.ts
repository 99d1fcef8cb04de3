import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { redisScript } from '../lib/redis-script.js';

/** Longer than any change of a plan takes; a crashed holder frees the person within it. */
const LEASE_MS = 10_000;
const WAIT_MS = 10_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One change at a time to a person's plan and employment record, across processes. FerretDB v1
 * (SQLite) applies an update as read, change, write back: two updates of one person at once
 * lose one of them (ten concurrent `$inc` gave 3), and a guard in the filter does not help.
 * The chat, the admin API and the worker all write these fields, so each change holds this.
 */
export interface PersonLock {
  run<T>(personId: string, fn: () => Promise<T>): Promise<T>;
}

export function createPersonLock(redis: Redis, prefix: string): PersonLock {
  const release = redisScript(redis, RELEASE, 1);
  return {
    async run(personId, fn) {
      const key = `${prefix}journey:lock:${personId}`;
      const token = randomUUID();
      const deadline = Date.now() + WAIT_MS;
      for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
        if ((await redis.set(key, token, 'PX', LEASE_MS, 'NX')) === 'OK') break;
        if (Date.now() > deadline) throw new AppError('busy', 'the plan is being changed');
        await new Promise((r) => setTimeout(r, wait));
      }
      try {
        return await fn();
      } finally {
        await release(key, token).catch(() => undefined);
      }
    },
  };
}
