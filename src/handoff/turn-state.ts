import type { Redis } from 'ioredis';
import { caseKeys, type Awaiting } from './keys.js';

const AWAIT_TTL_S = 7 * 24 * 60 * 60;

/** What the handoff keeps in Redis about a person's next message, read in one round trip. */
export interface CaseState {
  /** The open case, if any. */
  openCase: string | null;
  /** What the next free text answers (a rating comment, a follow-up). */
  awaiting: Awaiting | null;
  /** A case whose counsellor replies wait for the person to write (WeChat window). */
  waitingCase: string | null;
  /** Choice ids of the last buttons the worker pushed to this chat (a typed number picks one). */
  pushed: string[] | null;
}

/**
 * The handoff's per-person state in Redis (the database holds the cases): every turn reads it
 * with one MGET, so a person without a case costs one round trip.
 */
export function createCaseState(redis: Redis, prefix: string) {
  const keys = caseKeys(prefix);
  return {
    async read(personId: string, channel: string, chatId: string): Promise<CaseState> {
      const [open, awaiting, waiting, pushed] = await redis.mget(
        keys.open(personId),
        keys.awaiting(personId),
        keys.waiting(personId),
        keys.pushed(channel, chatId),
      );
      return {
        openCase: open ?? null,
        awaiting: parse<Awaiting>(awaiting, (v) => typeof v === 'object' && v !== null),
        waitingCase: waiting ?? null,
        pushed: parse<string[]>(
          pushed,
          (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
        ),
      };
    },
    async setAwaiting(personId: string, awaiting: Awaiting | null): Promise<void> {
      if (awaiting)
        await redis.set(keys.awaiting(personId), JSON.stringify(awaiting), 'EX', AWAIT_TTL_S);
      else await redis.del(keys.awaiting(personId));
    },
    /** The pushed buttons are used (or the person moved on: a number later means other buttons). */
    async forgetPushed(channel: string, chatId: string): Promise<void> {
      await redis.del(keys.pushed(channel, chatId));
    },
    async forgetWaiting(personId: string): Promise<void> {
      await redis.del(keys.waiting(personId));
    },
  };
}

export type CaseStateStore = ReturnType<typeof createCaseState>;

function parse<T>(raw: string | null | undefined, ok: (v: unknown) => boolean): T | null {
  if (!raw) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return ok(v) ? (v as T) : null;
  } catch {
    return null;
  }
}
