import type { Redis } from 'ioredis';

/**
 * Fixed one-minute window per key: true while the key has made at most `perMinute` calls in the
 * current minute. Cheap enough for every request (one INCR + EXPIRE round trip).
 */
export async function withinRateLimit(
  redis: Redis,
  key: string,
  perMinute: number,
  now = Date.now(),
): Promise<boolean> {
  const windowKey = `${key}:${Math.floor(now / 60_000)}`;
  const results = await redis.multi().incr(windowKey).expire(windowKey, 120).exec();
  const count = Number(results?.[0]?.[1] ?? Number.POSITIVE_INFINITY);
  return count <= perMinute;
}
