import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScript } from './redis-script.js';

const PENDING = 'pending:';
/** Renews the claim only while it is still this owner's. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end`;
/** Stores the result only while the claim is still this owner's (a late finisher changes nothing). */
const FINISH = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface OnceOptions {
  /** How long a claim lives without renewal: a crashed owner frees it within this. */
  leaseSec?: number;
  /** How long the result is remembered (duplicates within it get the first answer). */
  doneTtlSec?: number;
  /** How long a repeat waits for a live owner to finish before giving up (`in_progress`). */
  waitMs?: number;
  pollMs?: number;
}

export type OnceResult = { status: 'done'; body: string; ran: boolean } | { status: 'in_progress' };

/**
 * The one "answer once" helper of every channel (a web message's client id, a Telegram
 * `update_id`, by webhook or polling): runs `work` at most once per `key` and remembers its
 * result, so a retried delivery gets the first answer instead of a second turn. The claim
 * belongs to a live owner: a short lease renewed while `work` runs, so after a crash (SIGKILL
 * mid-turn) the retry runs within seconds instead of being swallowed. If `work` throws, the
 * claim is released so a retry can run. `ran` says whether this call did the work.
 */
export async function runOnce(
  redis: Redis,
  key: string,
  work: () => Promise<string>,
  { leaseSec = 10, doneTtlSec = 86_400, waitMs = 10_000, pollMs = 50 }: OnceOptions = {},
): Promise<OnceResult> {
  const owner = `${PENDING}${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    if ((await redis.set(key, owner, 'EX', leaseSec, 'NX')) === 'OK') {
      const renew = setInterval(
        () =>
          void redisScript(redis, RENEW, 1)(key, owner, String(leaseSec)).catch(() => {
            // Redis away: the lease may lapse and a retry run the turn again (at least once).
          }),
        (leaseSec * 1000) / 3,
      );
      let body: string;
      try {
        body = await work();
      } catch (err) {
        clearInterval(renew);
        await redisScript(redis, RELEASE, 1)(key, owner).catch(() => undefined);
        throw err;
      }
      clearInterval(renew);
      // The work is done (the person has the answer): failing to record that must not make the
      // caller try again, which would answer twice. Without the record, only a redelivery of the
      // same key could run it again.
      await redisScript(redis, FINISH, 1)(key, owner, body, String(doneTtlSec)).catch(
        () => undefined,
      );
      return { status: 'done', body, ran: true };
    }
    const stored = await redis.get(key);
    if (stored === null) continue; // the first run failed or its owner died: claim it
    if (!stored.startsWith(PENDING)) return { status: 'done', body: stored, ran: false };
    if (Date.now() >= deadline) return { status: 'in_progress' };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
