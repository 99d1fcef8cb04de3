import type { Redis } from 'ioredis';

export interface RedisWatchdog {
  /** A PING has gone unanswered for longer than the limit: Redis hangs (paused, swapping). */
  hung(): boolean;
  stop(): void;
}

/**
 * Notices a Redis that hangs — connected, but answering nothing (SIGSTOP, a swap storm): one
 * PING at a time, every `everyMs`; while one is unanswered past `hungAfterMs`, `hung()` is true
 * and routes that need Redis answer 503 at once instead of waiting as long as Redis does. (A
 * timeout on every command did the same at a quarter more CPU a turn: a timer per command.)
 */
export function watchRedis(
  redis: Redis,
  { everyMs = 1_000, hungAfterMs = 3_000 }: { everyMs?: number; hungAfterMs?: number } = {},
): RedisWatchdog {
  let since: number | null = null;
  const timer = setInterval(() => {
    if (since !== null || redis.status !== 'ready') return;
    since = Date.now();
    const done = () => {
      since = null;
    };
    redis.ping().then(done, done);
  }, everyMs);
  timer.unref();
  return {
    hung: () => since !== null && Date.now() - since > hungAfterMs,
    stop: () => clearInterval(timer),
  };
}
