import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WechatXml } from './xml.js';

/** How often a web process looks for answers a stopped one owed. */
export const RECOVER_EVERY_MS = 10_000;
/**
 * An owed answer's owner says it is alive this often; another process takes the answer only
 * after this owner has been silent for OWED_SILENT_MS (a Redis paused longer than the claim's
 * lease lets the claim lapse under a live owner: taken at once, the person got two answers).
 */
export const OWED_HEARTBEAT_MS = 10_000;
export const OWED_SILENT_MS = 60_000;

/**
 * Callbacks WeChat was told "success" for whose answer is still owed. "success" ends WeChat's
 * retries: a process that died then (its turn slow, a database paused) lost the message for
 * good. Written before the "success"; settled when the answer is pushed (or given up); another
 * web process picks up what a dead one owed (`startOwedRecovery` below).
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

/**
 * Every `everyMs`, gives the answers owed by an owner silent for `silentMs` (a stopped process):
 * `answer` runs the turn and pushes it (false: a live owner still holds the claim). Tried as the
 * owner would have (outages waited out), then settled either way. Returns the stop.
 */
export function startOwedRecovery(o: {
  owed: OwedReplies;
  log: Pick<Logger, 'warn' | 'error'>;
  everyMs: number;
  silentMs: number;
  answer(key: string, xml: WechatXml, openId: string): Promise<boolean>;
}): () => void {
  /** Owed answers being given by this process now. */
  const giving = new Set<string>();
  async function check(): Promise<void> {
    for (const { key, xml } of await o.owed.due(o.silentMs, 50)) {
      if (giving.has(key)) continue;
      const openId = xml.FromUserName;
      if (!openId) {
        await o.owed.settle(key);
        continue;
      }
      giving.add(key);
      o.answer(key, xml, openId)
        .then(async (done) => {
          if (done) await o.owed.settle(key);
        })
        .catch(async (err: unknown) => {
          o.log.error({ err }, 'owed wechat answer failed');
          await o.owed.settle(key).catch(() => undefined);
        })
        .finally(() => giving.delete(key));
    }
  }
  const timer = setInterval(() => {
    check().catch((err: unknown) => o.log.warn({ err }, 'owed wechat answers: check failed'));
  }, o.everyMs);
  timer.unref();
  return () => clearInterval(timer);
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
