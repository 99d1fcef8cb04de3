import type { Redis } from 'ioredis';

const PENDING = 'pending';

export interface OnceOptions {
  pendingTtlSec?: number;
  doneTtlSec?: number;
  waitMs?: number;
  pollMs?: number;
}

export type OnceResult = { status: 'done'; body: string } | { status: 'in_progress' };

/**
 * Runs `work` at most once per `key` (a web message's client id) and remembers its result, so a
 * phone that retries on a flaky network gets the first answer instead of a second turn.
 * A repeat while the first run is pending waits for it; if `work` throws, the key is released
 * so the retry can run.
 */
export async function runOnce(
  redis: Redis,
  key: string,
  work: () => Promise<string>,
  { pendingTtlSec = 60, doneTtlSec = 86_400, waitMs = 10_000, pollMs = 50 }: OnceOptions = {},
): Promise<OnceResult> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await redis.set(key, PENDING, 'EX', pendingTtlSec, 'NX')) === 'OK') {
      let body: string;
      try {
        body = await work();
      } catch (err) {
        await redis.del(key);
        throw err;
      }
      await redis.set(key, body, 'EX', doneTtlSec);
      return { status: 'done', body };
    }
    const stored = await redis.get(key);
    if (stored === null) continue; // the first run failed and let go: claim it
    if (stored !== PENDING) return { status: 'done', body: stored };
    if (Date.now() >= deadline) return { status: 'in_progress' };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
