import type { Redis } from 'ioredis';

/** Telegram takes about 30 messages a second from one bot, all chats together. */
export const TELEGRAM_PER_SECOND = 30;
/** Buckets of 100 ms: the last second is the sum of ten (a sliding window, as Telegram counts). */
const BUCKET_MS = 100;
const BUCKETS = 1000 / BUCKET_MS;

/**
 * The bot's messages over the last second across every process, counted in Redis in 100 ms
 * buckets: all of them, and the live replies among them. Outreach asks `waitMs` before it
 * sends and keeps room for the live replies it saw in that second, so they come first.
 */
export function createSendBudget(redis: Redis, prefix: string, perSecond = TELEGRAM_PER_SECOND) {
  const all = (b: number) => `${prefix}tg:sent:${b}`;
  const live = (b: number) => `${prefix}tg:live:${b}`;
  // Counted in memory and written once a bucket (not a Redis call per reply on the hot path).
  let pending = { bucket: 0, all: 0, live: 0 };
  let timer: NodeJS.Timeout | undefined;
  function flush(): void {
    timer = undefined;
    const { bucket, all: n, live: l } = pending;
    pending = { bucket: 0, all: 0, live: 0 };
    if (n === 0) return;
    const m = redis.multi().incrby(all(bucket), n).pexpire(all(bucket), 3000);
    if (l > 0) m.incrby(live(bucket), l).pexpire(live(bucket), 3000);
    m.exec().catch(() => undefined);
  }
  return {
    /** Counts sent messages (never waits: a failure here must not hold a reply). */
    count(n: number, background: boolean): void {
      const b = Math.floor(Date.now() / BUCKET_MS);
      if (pending.bucket !== b && pending.all > 0) flush();
      pending.bucket = b;
      pending.all += n;
      if (!background) pending.live += n;
      timer ??= setTimeout(flush, BUCKET_MS - (Date.now() % BUCKET_MS)).unref();
    },
    /**
     * 0 when outreach may send now; else how long to wait (one bucket): the last second's
     * messages plus room for live replies (half as many again as the last second's, at least
     * one) would reach the budget.
     */
    async waitMs(): Promise<number> {
      const b = Math.floor(Date.now() / BUCKET_MS);
      const keys: string[] = [];
      for (let i = 0; i < BUCKETS; i++) keys.push(all(b - i), live(b - i));
      const values = (await redis.mget(...keys)).map((v) => Number(v ?? 0));
      let used = 0;
      let replies = 0;
      for (let i = 0; i < values.length; i += 2) {
        used += values[i] ?? 0;
        replies += values[i + 1] ?? 0;
      }
      return used + Math.max(1, Math.ceil(replies / 2)) >= perSecond ? BUCKET_MS : 0;
    },
  };
}

export type SendBudget = ReturnType<typeof createSendBudget>;
