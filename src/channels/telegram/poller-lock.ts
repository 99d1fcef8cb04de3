import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Leadership for Telegram polling: only the holder calls getUpdates (two pollers would get 409
 * Conflict from Telegram). The lease is renewed while held; another process takes over within
 * `ttlMs` when the holder dies.
 */
export function createPollerLock(redis: Redis, key: string, ttlMs = 30_000) {
  const owner = randomUUID();
  return {
    tryAcquire: async () => (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK',
    renew: async () => (await redis.eval(RENEW, 1, key, owner, String(ttlMs))) === 1,
    release: async () => {
      await redis.eval(RELEASE, 1, key, owner);
    },
    ttlMs,
  };
}
