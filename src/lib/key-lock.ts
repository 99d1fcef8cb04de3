import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { redisScript } from './redis-script.js';

/** Longer than any change under a lock takes; a crashed holder frees the key within it. */
const LEASE_MS = 10_000;
const WAIT_MS = 10_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * One change at a time to one thing, across processes (a Redis lease). FerretDB v1 (SQLite)
 * applies an update as read, change, write back, without isolation: two conditional updates of
 * one document at once both "match" (six parallel card saves of one version all succeeded), and
 * a guard in the filter does not help. Whatever must be compare-and-set holds this instead.
 */
export interface KeyLock {
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/** A lock over the keys `<prefix><name>:lock:<id>`; a wait over 10 s is AppError 'busy'. */
export function createKeyLock(redis: Redis, prefix: string, name: string): KeyLock {
  const release = redisScript(redis, RELEASE, 1);
  const renew = redisScript(redis, RENEW, 1);
  return {
    async run(id, fn) {
      const key = `${prefix}${name}:lock:${id}`;
      const token = randomUUID();
      const deadline = Date.now() + WAIT_MS;
      for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
        if ((await redis.set(key, token, 'PX', LEASE_MS, 'NX')) === 'OK') break;
        if (Date.now() > deadline) throw new AppError('busy', `${name} is being changed`);
        await new Promise((r) => setTimeout(r, wait));
      }
      // Renewed while `fn` runs (delivering a case's queued replies can outlast one lease); a
      // crashed holder still frees the key within LEASE_MS.
      const lease = setInterval(
        () => void renew(key, token, LEASE_MS).catch(() => undefined),
        LEASE_MS / 3,
      );
      try {
        return await fn();
      } finally {
        clearInterval(lease);
        await release(key, token).catch(() => undefined);
      }
    },
  };
}
