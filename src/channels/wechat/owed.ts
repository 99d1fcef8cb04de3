import type { Redis } from 'ioredis';
import type { WechatXml } from './xml.js';

/**
 * Callbacks WeChat was told "success" for whose answer is still owed. "success" ends WeChat's
 * retries: a process that died then (its turn slow, a database paused) lost the message for
 * good. Written before the "success"; settled when the answer is pushed (or given up); another
 * web process picks up what a dead one owed (`webhook.routes.ts`, the recovery).
 * The message stays here for seconds (its text, as in the conversation log), never longer than
 * its turn.
 */
export interface OwedReplies {
  /** Written before "success", and again every few seconds while its turn runs (alive). */
  owe(key: string, xml: WechatXml): Promise<void>;
  settle(key: string): Promise<void>;
  /** Owed callbacks written at least `minAgeMs` ago, at most `limit`. */
  due(minAgeMs: number, limit: number): Promise<{ key: string; xml: WechatXml }[]>;
}

export function createOwedReplies(redis: Redis, prefix: string): OwedReplies {
  const hash = `${prefix}wechat:owed`;
  return {
    async owe(key, xml) {
      await redis.hset(hash, key, JSON.stringify({ at: Date.now(), xml }));
    },
    async settle(key) {
      await redis.hdel(hash, key);
    },
    async due(minAgeMs, limit) {
      const out: { key: string; xml: WechatXml }[] = [];
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(hash, cursor, 'COUNT', 100);
        cursor = next;
        for (let i = 0; i + 1 < flat.length && out.length < limit; i += 2) {
          const key = flat[i]!;
          const record = parse(flat[i + 1]!);
          if (!record) await redis.hdel(hash, key);
          else if (Date.now() - record.at >= minAgeMs) out.push({ key, xml: record.xml });
        }
      } while (cursor !== '0' && out.length < limit);
      return out;
    },
  };
}

function parse(raw: string): { at: number; xml: WechatXml } | null {
  try {
    const v = JSON.parse(raw) as { at?: unknown; xml?: unknown };
    return typeof v.at === 'number' && v.xml && typeof v.xml === 'object'
      ? { at: v.at, xml: v.xml as WechatXml }
      : null;
  } catch {
    return null;
  }
}
