import type { Redis } from 'ioredis';

export interface LoginLimits {
  /** Failed logins of one user name within the window that lock it (default 5). */
  userFailures: number;
  /** Failed logins from one address within the window before it is refused (default 20). */
  ipFailures: number;
  /** Window and lock-out length in seconds (default 15 minutes). */
  windowSec: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  userFailures: 5,
  ipFailures: 20,
  windowSec: 900,
};

/**
 * Failed-login counters in Redis: a user name is locked after `userFailures` failures within
 * the window (for `windowSec`), and an address that fails `ipFailures` times is refused for the
 * rest of its window (password spraying over many names). A success clears the name's count.
 */
export interface LoginLimiter {
  /** Seconds until the address may try again, or 0. */
  ipBlockedFor(ip: string): Promise<number>;
  /** Seconds until the user name unlocks, or 0. */
  lockedFor(username: string): Promise<number>;
  /** Counts a failure (of a user name, when the attempt named a valid one); true when it locked the name just now. */
  failed(username: string | null, ip: string): Promise<boolean>;
  succeeded(username: string): Promise<void>;
}

export function createLoginLimiter(
  redis: Redis,
  prefix: string,
  limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
): LoginLimiter {
  const k = {
    ip: (ip: string) => `${prefix}admin:login:ip:${ip}`,
    fails: (u: string) => `${prefix}admin:login:fail:${u}`,
    lock: (u: string) => `${prefix}admin:login:lock:${u}`,
  };
  // SET NX EX then INCR: the window starts at the first failure and INCR keeps its TTL.
  const count = async (key: string) => {
    const res = await redis.multi().set(key, 0, 'EX', limits.windowSec, 'NX').incr(key).exec();
    const n = res?.[1]?.[1];
    return typeof n === 'number' ? n : 0;
  };
  const ttl = async (key: string) => Math.max(0, await redis.ttl(key));
  return {
    async ipBlockedFor(ip) {
      const n = Number((await redis.get(k.ip(ip))) ?? 0);
      return n >= limits.ipFailures ? Math.max(1, await ttl(k.ip(ip))) : 0;
    },
    async lockedFor(username) {
      return ttl(k.lock(username));
    },
    async failed(username, ip) {
      await count(k.ip(ip));
      if (username === null) return false;
      if ((await count(k.fails(username))) < limits.userFailures) return false;
      await redis
        .multi()
        .set(k.lock(username), 1, 'EX', limits.windowSec)
        .del(k.fails(username))
        .exec();
      return true;
    },
    async succeeded(username) {
      await redis.del(k.fails(username));
    },
  };
}
