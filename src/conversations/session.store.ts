import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SessionState } from '../engine/step.js';
import { redisScript } from '../lib/redis-script.js';

/** Session state plus the person it belongs to. */
export type Session = SessionState & {
  personId: string;
  /** Choice ids offered last, so a typed number ("2") picks one on any channel. */
  offered?: string[] | undefined;
  /**
   * The language those choices were shown in when it was not the session's (a Tibetan question
   * in a Chinese chat gets Tibetan buttons): pressing one answers in it.
   */
  offeredLang?: 'zh-CN' | 'bo' | undefined;
  /** The last policy question asked, for its "helpful?" buttons. */
  lastQuestion?: string | undefined;
  /** Questions in a row the assistant could not answer (two open a case with a counsellor). */
  misses?: number | undefined;
};

const sessionSchema = z.object({
  v: z.literal(1),
  at: z.string(),
  lang: z.enum(['zh-CN', 'bo']).nullable(),
  updatedAt: z.number(),
  personId: z.string(),
  offered: z.array(z.string()).optional(),
  offeredLang: z.enum(['zh-CN', 'bo']).optional(),
  lastQuestion: z.string().optional(),
  misses: z.number().int().min(0).optional(),
  answers: z.record(z.string(), z.string()).optional(),
  draft: z.record(z.string(), z.string()).optional(),
});

export interface SessionStore {
  get(key: string): Promise<Session | null>;
  set(key: string, session: Session): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Runs `fn` on the current session while holding the conversation's lock (two quick messages
   * never race) and stores what it returns as the next session. One Redis round trip takes the
   * lock and reads, one writes and releases.
   */
  withSession<T>(
    key: string,
    fn: (current: Session | null) => Promise<{ next: Session; result: T }>,
  ): Promise<T>;
}

export class ConversationBusyError extends Error {
  override readonly name = 'ConversationBusyError';
}

const SESSION_TTL_S = 60 * 60 * 24 * 30;
/**
 * The conversation lock is a lease renewed while the turn runs: a process killed mid-turn frees
 * the conversation within this, not after a long fixed timeout.
 */
const LOCK_TTL_MS = 6_000;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const LOCK_WAIT_MS = 20_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Takes the lock and, when taken, returns the session with it. */
const ACQUIRE_GET = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1, redis.call('get', KEYS[2]) or ''} end return {0, ''}`;
/** Stores the next session and releases the lock if it is still ours. */
const SAVE_RELEASE = `redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3]) if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end return 1`;

export function createSessionStore(redis: Redis, prefix = 'lamton:'): SessionStore {
  const acquireGet = redisScript(redis, ACQUIRE_GET, 2);
  const saveRelease = redisScript(redis, SAVE_RELEASE, 2);
  const release = redisScript(redis, RELEASE, 1);
  const renew = redisScript(redis, RENEW, 1);
  // Within one process, turns of one conversation queue here instead of polling Redis.
  const local = new Map<string, Promise<unknown>>();

  async function acquire(
    lockKey: string,
    sessionKey: string,
  ): Promise<{ token: string; raw: string }> {
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const [got, raw] = (await acquireGet(lockKey, sessionKey, token, LOCK_TTL_MS)) as [
        number,
        string,
      ];
      if (got === 1) return { token, raw };
      if (Date.now() > deadline) throw new ConversationBusyError('conversation is busy');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  const parse = (raw: string | null): Session | null => {
    if (!raw) return null;
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  };

  return {
    async get(key) {
      return parse(await redis.get(`${prefix}conv:${key}`));
    },
    async set(key, session) {
      await redis.set(`${prefix}conv:${key}`, JSON.stringify(session), 'EX', SESSION_TTL_S);
    },
    async delete(key) {
      await redis.del(`${prefix}conv:${key}`);
    },
    async withSession(key, fn) {
      const previous = local.get(key) ?? Promise.resolve();
      const run = previous
        .catch(() => undefined)
        .then(async () => {
          const lockKey = `${prefix}lock:${key}`;
          const sessionKey = `${prefix}conv:${key}`;
          const { token, raw } = await acquire(lockKey, sessionKey);
          const lease = setInterval(
            () => void renew(lockKey, token, LOCK_TTL_MS).catch(() => undefined),
            LOCK_TTL_MS / 3,
          );
          let out: { next: Session; result: unknown };
          try {
            out = await fn(parse(raw));
          } catch (err) {
            clearInterval(lease);
            await release(lockKey, token);
            throw err;
          }
          clearInterval(lease);
          await saveRelease(lockKey, sessionKey, token, JSON.stringify(out.next), SESSION_TTL_S);
          return out.result;
        });
      local.set(key, run);
      try {
        return (await run) as Awaited<ReturnType<typeof fn>>['result'];
      } finally {
        if (local.get(key) === run) local.delete(key);
      }
    },
  };
}
