import type { Redis } from 'ioredis';
import { redisScript } from '../../lib/redis-script.js';

/** WeChat's customer-service window: after a person's last message, this long… */
export const WINDOW_MS = 48 * 60 * 60 * 1000;
/** …and at most this many messages within it. */
export const WINDOW_MESSAGES = 5;

/**
 * Reserves `ARGV[1]` messages of the window: -1 closed (no message from the person within 48 h),
 * -2 used up; else the count so far. The count lives as long as the window.
 */
const RESERVE = `
if redis.call('exists', KEYS[1]) == 0 then return -1 end
local n = redis.call('incrby', KEYS[2], ARGV[1])
if n > tonumber(ARGV[2]) then redis.call('decrby', KEYS[2], ARGV[1]) return -2 end
redis.call('pexpire', KEYS[2], redis.call('pttl', KEYS[1]))
return n`;

export interface ServiceWindow {
  /** The person wrote (or followed, pressed a menu item): the window opens anew. */
  opened(openId: string): Promise<void>;
  /** Takes `count` messages of the window; false when it is closed or used up. */
  reserve(openId: string, count: number): Promise<'ok' | 'closed' | 'used'>;
  /** Gives back what a failed send did not use. */
  release(openId: string, count: number): Promise<void>;
  /** The person unfollowed: nothing more can be sent. */
  close(openId: string): Promise<void>;
}

/** The 48-hour window per person, in Redis (shared by every process, web or worker). */
export function createServiceWindow(redis: Redis, prefix: string): ServiceWindow {
  const opened = (id: string) => `${prefix}wechat:window:${id}`;
  const used = (id: string) => `${prefix}wechat:window:${id}:used`;
  const reserve = redisScript(redis, RESERVE, 2);
  return {
    async opened(openId) {
      await redis.multi().set(opened(openId), '1', 'PX', WINDOW_MS).del(used(openId)).exec();
    },
    async reserve(openId, count) {
      const n = Number(await reserve(opened(openId), used(openId), count, WINDOW_MESSAGES));
      return n === -1 ? 'closed' : n === -2 ? 'used' : 'ok';
    },
    async release(openId, count) {
      if (count > 0) await redis.decrby(used(openId), count);
    },
    async close(openId) {
      await redis.del(opened(openId), used(openId));
    },
  };
}
