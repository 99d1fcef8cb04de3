import type { Redis } from 'ioredis';
import { redisScript } from '../../lib/redis-script.js';

/** A token bucket: `burst` messages at once, refilled at `perMinute` (evenly, not per window). */
export interface RateLimit {
  burst: number;
  perMinute: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the next message would be allowed (0 when allowed). */
  retryAfterSec: number;
}

/** Brisk typing and fast taps pass; a script cannot keep up more than one message a second. */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 20, perMinute: 60 };

/** New sessions per client address: many people behind one carrier address, few new each minute. */
export const NEW_SESSION_LIMIT: RateLimit = { burst: 30, perMinute: 30 };

/**
 * KEYS[1] = bucket hash {t: tokens, at: ms}; ARGV = burst, tokens per ms, now (ms), ttl (ms).
 * Returns {allowed (0/1), ms until one token is back}. A clock behind the stored time (another
 * process) refills nothing rather than going negative.
 */
const TOKEN_BUCKET = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local saved = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(saved[1])
local at = tonumber(saved[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {allowed, wait}
`;

/**
 * Per-key token bucket in Redis (one EVALSHA round trip per request). Unlike a fixed window it
 * never lets a burst straddle two windows, and it tells how long to wait.
 */
export function createRateLimiter(redis: Redis, limit: RateLimit) {
  const run = redisScript(redis, TOKEN_BUCKET, 1);
  const perMs = limit.perMinute / 60_000;
  // Long enough to refill the whole bucket; after that a fresh bucket is the same thing.
  const ttlMs = Math.ceil(limit.burst / perMs) + 60_000;
  return async (key: string, now = Date.now()): Promise<RateDecision> => {
    const result = (await run(key, limit.burst, perMs, now, ttlMs)) as [number, number];
    const allowed = Number(result[0]) === 1;
    return {
      allowed,
      retryAfterSec: allowed ? 0 : Math.max(1, Math.ceil(Number(result[1]) / 1000)),
    };
  };
}
