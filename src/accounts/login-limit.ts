import type { Redis } from 'ioredis';
import { redisScript } from '../lib/redis-script.js';

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

/** What a login attempt may do: go on to the password, or be refused before it. */
export type AttemptVerdict =
  { kind: 'ok' } | { kind: 'tooMany'; retryAfterSec: number } | { kind: 'locked' };

/**
 * Failed-login counters in Redis: a user name is locked after `userFailures` failures within
 * the window (for `windowSec`), and an address that fails `ipFailures` times is refused for the
 * rest of its window (password spraying over many names). Each attempt is counted *before* its
 * password is checked, in one script: a burst of parallel guesses gets no more checks than the
 * limits allow (counted after the check, 29 guesses sent at once were all checked). A success
 * gives its count back and clears the name's.
 */
export interface LoginLimiter {
  /** Counts the attempt of `username` (null: the request named no valid one) from `ip`. */
  attempt(username: string | null, ip: string): Promise<AttemptVerdict>;
  /** The attempt failed: true when it locked the name just now. */
  failed(username: string): Promise<boolean>;
  succeeded(username: string, ip: string): Promise<void>;
}

/**
 * KEYS: address count, name count, name lock. ARGV: window, address limit, name limit.
 * Returns {verdict, seconds}: 0 go on, 1 too many from the address, 2 the name is locked.
 * The name's count and lock are left alone when KEYS[2] is '' (no valid name).
 */
const ATTEMPT = `
local function count(key)
  local n = redis.call('incr', key)
  if n == 1 then redis.call('expire', key, ARGV[1]) end
  return n
end
local ip = count(KEYS[1])
if ip > tonumber(ARGV[2]) then return {1, math.max(1, redis.call('ttl', KEYS[1]))} end
if KEYS[2] == '' then return {0, 0} end
if redis.call('exists', KEYS[3]) == 1 then return {2, 0} end
if count(KEYS[2]) > tonumber(ARGV[3]) then
  redis.call('set', KEYS[3], 1, 'EX', ARGV[1])
  redis.call('del', KEYS[2])
  return {2, 0}
end
return {0, 0}`;

/** The name's failures reached the limit: lock it (KEYS: name count, name lock; ARGV: window, limit). */
const FAILED = `
if tonumber(redis.call('get', KEYS[1]) or '0') >= tonumber(ARGV[2]) then
  redis.call('set', KEYS[2], 1, 'EX', ARGV[1])
  redis.call('del', KEYS[1])
  return 1
end
return 0`;

/** A success: the name's count cleared, the address's attempt given back (KEYS: name, address). */
const SUCCEEDED = `
redis.call('del', KEYS[1])
if tonumber(redis.call('get', KEYS[2]) or '0') > 0 then redis.call('decr', KEYS[2]) end
return 1`;

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
  const attempt = redisScript(redis, ATTEMPT, 3);
  const failed = redisScript(redis, FAILED, 2);
  const succeeded = redisScript(redis, SUCCEEDED, 2);
  return {
    async attempt(username, ip) {
      const [verdict, seconds] = (await attempt(
        k.ip(ip),
        username === null ? '' : k.fails(username),
        username === null ? '' : k.lock(username),
        limits.windowSec,
        limits.ipFailures,
        limits.userFailures,
      )) as [number, number];
      if (verdict === 1) return { kind: 'tooMany', retryAfterSec: seconds };
      if (verdict === 2) return { kind: 'locked' };
      return { kind: 'ok' };
    },
    async failed(username) {
      return (
        (await failed(
          k.fails(username),
          k.lock(username),
          limits.windowSec,
          limits.userFailures,
        )) === 1
      );
    },
    async succeeded(username, ip) {
      await succeeded(k.fails(username), k.ip(ip));
    },
  };
}
