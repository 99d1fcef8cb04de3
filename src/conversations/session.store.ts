import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SessionState } from '../engine/step.js';

/** Session state plus the person it belongs to. */
export type Session = SessionState & {
  personId: string;
  /** Choice ids offered last, so a typed number ("2") picks one on any channel. */
  offered?: string[] | undefined;
  /** The last policy question asked, for its "helpful?" buttons. */
  lastQuestion?: string | undefined;
};

const sessionSchema = z.object({
  v: z.literal(1),
  at: z.string(),
  lang: z.enum(['zh-CN', 'bo']).nullable(),
  updatedAt: z.number(),
  personId: z.string(),
  offered: z.array(z.string()).optional(),
  lastQuestion: z.string().optional(),
});

export interface SessionStore {
  get(key: string): Promise<Session | null>;
  set(key: string, session: Session): Promise<void>;
  delete(key: string): Promise<void>;
  /** Runs `fn` while holding the conversation's lock: two quick messages never race. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export class ConversationBusyError extends Error {
  override readonly name = 'ConversationBusyError';
}

const SESSION_TTL_S = 60 * 60 * 24 * 30;
const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 20_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createSessionStore(redis: Redis, prefix = 'lamton:'): SessionStore {
  // Within one process, turns of one conversation queue here instead of polling Redis.
  const local = new Map<string, Promise<unknown>>();

  async function acquire(lockKey: string): Promise<string> {
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      if ((await redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') return token;
      if (Date.now() > deadline) throw new ConversationBusyError('conversation is busy');
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  return {
    async get(key) {
      const raw = await redis.get(`${prefix}conv:${key}`);
      if (!raw) return null;
      const parsed = sessionSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },
    async set(key, session) {
      await redis.set(`${prefix}conv:${key}`, JSON.stringify(session), 'EX', SESSION_TTL_S);
    },
    async delete(key) {
      await redis.del(`${prefix}conv:${key}`);
    },
    async withLock(key, fn) {
      const previous = local.get(key) ?? Promise.resolve();
      const run = previous
        .catch(() => undefined)
        .then(async () => {
          const lockKey = `${prefix}lock:${key}`;
          const token = await acquire(lockKey);
          try {
            return await fn();
          } finally {
            await redis.eval(RELEASE, 1, lockKey, token);
          }
        });
      local.set(key, run);
      try {
        return await run;
      } finally {
        if (local.get(key) === run) local.delete(key);
      }
    },
  };
}
