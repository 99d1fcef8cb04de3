import type { Redis } from 'ioredis';

/** Seconds the live rate looks back over. */
export const RATE_WINDOW_SEC = 30;

/**
 * Sends per campaign per second, in Redis (one counter a second, kept a minute), so the admin
 * pages show the live rate and ETA whichever worker sent.
 */
export function createSendRate(redis: Redis, prefix: string) {
  const key = (campaignId: string, sec: number) => `${prefix}out:rate:${campaignId}:${sec}`;
  return {
    async record(campaignId: string, at: Date): Promise<void> {
      const k = key(campaignId, Math.floor(at.getTime() / 1000));
      await redis.multi().incr(k).expire(k, 60).exec();
    },
    /** How many went in the last RATE_WINDOW_SEC seconds. */
    async recent(campaignId: string, at: Date = new Date()): Promise<number> {
      const now = Math.floor(at.getTime() / 1000);
      const keys = Array.from({ length: RATE_WINDOW_SEC }, (_, i) => key(campaignId, now - i));
      const values = await redis.mget(...keys);
      return values.reduce((sum, v) => sum + (v ? Number(v) : 0), 0);
    },
  };
}

export type SendRate = ReturnType<typeof createSendRate>;
