import { Types, type Connection } from 'mongoose';
import { pino } from 'pino';
import { startCampaignWorkers } from '../../src/campaigns/index.js';
import type { CoreDeps } from '../../src/deps.js';
import type { ChannelId } from '../../src/messaging/inbound.js';
import type { Lang } from '../../src/messaging/lang.js';
import { personModels } from '../../src/people/person.model.js';

export interface SeedPerson {
  chatId: string;
  channel?: ChannelId;
  language?: Lang | null;
  optOut?: boolean;
  district?: string;
  unreachable?: boolean;
}

/** People and their channel identities written straight to the database (what chats would make). */
export async function seedPeople(
  mongo: Connection,
  people: SeedPerson[],
): Promise<Types.ObjectId[]> {
  const { Person, Identity } = personModels(mongo);
  const now = new Date();
  const ids = people.map(() => new Types.ObjectId());
  await Person.insertMany(
    people.map((p, i) => ({
      _id: ids[i],
      language: p.language ?? null,
      outreachOptOut: p.optOut ?? false,
      createdAt: now,
      lastSeenAt: now,
      ...(p.district ? { district: p.district } : {}),
    })),
  );
  await Identity.insertMany(
    people.map((p, i) => ({
      _id: `${p.channel ?? 'telegram'}:${p.chatId}`,
      personId: ids[i],
      channel: p.channel ?? 'telegram',
      createdAt: now,
      unreachableSince: p.unreachable ? now : null,
    })),
  );
  return ids;
}

/** The worker role's outreach on a process's core deps (a test's "worker process"). */
export function startWorkers(
  core: CoreDeps,
  opts: { now?: () => Date; watchEveryMs?: number } = {},
) {
  return startCampaignWorkers({
    ...core,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    watchEveryMs: opts.watchEveryMs ?? 250,
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type Json = Record<string, unknown>;

/** Calls the admin API of the app at `base()` with a bearer token; the body parsed (or `{}`). */
export function adminApi(base: () => string, defaultToken: string) {
  return async (method: string, path: string, body?: unknown, token = defaultToken) => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };
}
