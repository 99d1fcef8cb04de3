import { createHash, randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { AppError } from '../errors.js';
import { redisScript } from '../lib/redis-script.js';
import { createSubscriptionRepo, type Subscription } from './subscription.repo.js';
import {
  districtOf,
  isCategory,
  postingTerms,
  termsOf,
  VOCABULARY_VERSION,
  type PostingText,
} from './terms.js';

/**
 * The job-alert index (issue 13): which subscriptions a new posting matches, answered by Redis
 * in one round trip whatever the number of subscriptions, on MongoDB and FerretDB alike (FerretDB
 * v1 on SQLite scans a collection for a multikey `$in`; see docs/benchmarks.md).
 *
 * Keys (all under the deployment's prefix; on Redis Cluster give the prefix a hash tag):
 * - `sub:t:<district|*>:<category|*>:<term>` — a SET per term and filter: a subscription is a
 *   member of one set per term (`*` when it has no keywords: any work), under its own district
 *   and category (`*`: no filter). A posting in 城关区 filed under `security` reads, for each of
 *   its terms and `*`, the four sets (城关区|*) × (security|*): the filters cost no lookup.
 * - member: subscription id + person id (base64url, 16 characters each) + `i`nstant / `d`igest:
 *   33 bytes, so a match needs no database round trip to know whom to tell and how.
 * - `sub:keys` — every set that has members (the rebuild's list; a few thousand at most).
 * - `sub:seq`, `sub:journal` — a counter of changes, and the subscriptions changed while a
 *   rebuild runs (empty otherwise), so a rebuild leaves alone what changed while it read MongoDB.
 * - `sub:version` — the vocabulary version the index was built with; `sub:rebuild` — its lock.
 *
 * Memory: one set member per term of a subscription (most have 1–3). Measured on Redis 7.0 by
 * `npm run bench:alerts` (docs/benchmarks.md): about 110 bytes per member with the sets' own
 * overhead, 215 bytes per subscription (1.9 terms each): 100,000 subscriptions ≈ 21 MiB.
 * A match costs time in proportion to the people it finds (about 1.7 µs each, mostly decoding
 * the members in Node), not to the number of subscriptions.
 */
export interface Matcher {
  /** Indexes a subscription just saved (after `repo.add`). */
  add(sub: IndexedSubscription): Promise<void>;
  /** Takes a removed subscription out of the index (after `repo.remove` / `removeAll`). */
  remove(sub: IndexedSubscription): Promise<void>;
  /** Re-indexes subscriptions given to another person (after `repo.moveTo`, with what it returned). */
  move(subs: readonly IndexedSubscription[], toPersonId: string): Promise<void>;
  /** The people a posting matches: one entry per person, whatever the number of their subscriptions. */
  match(posting: PostingToMatch): Promise<Match[]>;
  /**
   * Rebuilds the index from MongoDB (start-up, repair) with today's vocabulary: terms are
   * recomputed from the keywords. Changes made while it runs are kept; one rebuild at a time
   * (AppError 'busy').
   */
  rebuildIndex(): Promise<RebuildResult>;
  /** Rebuilds when the index was built with another vocabulary or never; null when current or busy. */
  ensureIndex(): Promise<RebuildResult | null>;
  /** Sets and members in the index (for reports and the benchmark). */
  stats(): Promise<{ keys: number; members: number }>;
}

export type IndexedSubscription = Pick<
  Subscription,
  'id' | 'personId' | 'keywords' | 'terms' | 'district' | 'category' | 'mode'
>;

export interface PostingToMatch extends PostingText {
  /** A glossary district (Chinese or Tibetan name). */
  district?: string | null | undefined;
}

export interface Match {
  personId: string;
  /** The oldest matching subscription (the alert names its keywords). */
  subscriptionId: string;
  /** Every matching subscription of the person, oldest first. */
  subscriptionIds: string[];
  /** `instant` when any matching subscription is; `digest` otherwise. */
  mode: 'instant' | 'digest';
}

export interface RebuildResult {
  subscriptions: number;
  keys: number;
  members: number;
  /** Members the index lacked, and members it had but should not have. */
  added: number;
  removed: number;
  /**
   * Subscriptions whose stored terms are not today's (the variant table or glossary changed since
   * they subscribed). The index uses today's; the stored ones are left as they were, because
   * rewriting them one by one would take hours on FerretDB (about 30 ms per update at 5,000
   * documents, growing with the collection).
   */
  termsStale: number;
  ms: number;
}

export interface MatcherDeps {
  redis: Redis;
  prefix: string;
  mongo: Connection;
}

const ANY = '*';
const DIGEST = 'd'.charCodeAt(0);
/** Keys per SUNION / SMEMBERS batch. */
const CHUNK = 1000;
const REBUILD_LOCK_MS = 10 * 60_000;

// KEYS: registry, seq, journal, rebuild lock, n sets to leave, then sets to join.
// ARGV: subscription (journal entry), n, member leaving, member joining.
// The journal is written only while a rebuild holds the lock: the rebuild reads `seq` after
// taking it, so a change journaled here is exactly one it may not have seen.
const UPDATE = `
local seq = redis.call('INCR', KEYS[2])
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('ZADD', KEYS[3], seq, ARGV[1])
  redis.call('PEXPIRE', KEYS[3], ${REBUILD_LOCK_MS})
end
local n = tonumber(ARGV[2])
for i = 5, 4 + n do
  redis.call('SREM', KEYS[i], ARGV[3])
  if redis.call('SCARD', KEYS[i]) == 0 then redis.call('SREM', KEYS[1], KEYS[i]) end
end
for i = 5 + n, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  redis.call('SADD', KEYS[1], KEYS[i])
end
return seq`;
const FORGET_IF_EMPTY = `
if redis.call('SCARD', KEYS[2]) == 0 then return redis.call('SREM', KEYS[1], KEYS[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function createMatcher(deps: MatcherDeps): Matcher {
  const { redis, prefix } = deps;
  const repo = createSubscriptionRepo(deps.mongo);
  const k = {
    registry: `${prefix}sub:keys`,
    seq: `${prefix}sub:seq`,
    journal: `${prefix}sub:journal`,
    version: `${prefix}sub:version`,
    lock: `${prefix}sub:rebuild`,
  };
  const setKey = (term: string, district: string | null, category: string | null) =>
    `${prefix}sub:t:${district ?? ANY}:${category ?? ANY}:${term}`;
  const keysOf = (sub: IndexedSubscription, terms: readonly string[]) =>
    (terms.length === 0 && sub.keywords.length === 0 ? [ANY] : terms).map((t) =>
      setKey(t, sub.district, sub.category),
    );
  /** Every set a subscription may sit in: its stored terms and those of today's vocabulary. */
  const allKeysOf = (sub: IndexedSubscription) => [
    ...new Set([...keysOf(sub, sub.terms), ...keysOf(sub, termsOf(sub.keywords))]),
  ];
  const update = scriptWithKeys(redis, UPDATE);
  const forgetIfEmpty = redisScript(redis, FORGET_IF_EMPTY, 2);
  const release = redisScript(redis, RELEASE, 1);

  async function change(
    sub: IndexedSubscription,
    leave: { keys: string[]; member: string },
    join: { keys: string[]; member: string },
  ): Promise<void> {
    await update(
      [k.registry, k.seq, k.journal, k.lock, ...leave.keys, ...join.keys],
      [b64(sub.id), leave.keys.length, leave.member, join.member],
    );
  }

  async function smembers(keys: readonly string[]): Promise<string[][]> {
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.smembers(key);
    return (await execAll(pipeline)).map((v) => (Array.isArray(v) ? v.map(String) : []));
  }

  async function rebuildIndex(): Promise<RebuildResult> {
    const started = performance.now();
    const token = randomUUID();
    if ((await redis.set(k.lock, token, 'PX', REBUILD_LOCK_MS, 'NX')) !== 'OK')
      throw new AppError('busy', 'the job alert index is being rebuilt');
    try {
      return { ...(await rebuildLocked()), ms: performance.now() - started };
    } finally {
      await release(k.lock, token);
    }
  }

  async function rebuildLocked(): Promise<Omit<RebuildResult, 'ms'>> {
    // Changes from here on are in the journal with a higher number, and are left alone.
    const since = Number(await redis.get(k.seq)) || 0;
    const expected = new Map<string, Set<string>>();
    let subscriptions = 0;
    let termsStale = 0;
    for await (const sub of repo.scan()) {
      subscriptions++;
      const terms = termsOf(sub.keywords);
      if (terms.join('\n') !== [...sub.terms].sort().join('\n')) termsStale++;
      const m = member(sub);
      for (const key of keysOf(sub, terms)) {
        const set = expected.get(key) ?? new Set<string>();
        expected.set(key, set.add(m));
      }
    }
    const keys = [...new Set([...(await redis.smembers(k.registry)), ...expected.keys()])];
    let added = 0;
    let removed = 0;
    let members = 0;
    const emptied: string[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const live = await smembers(chunk);
      // Read after the sets: whatever changed since the scan began is in it by now.
      const dirty = new Set(await redis.zrangebyscore(k.journal, `(${since}`, '+inf'));
      const clean = (m: string) => !dirty.has(m.slice(0, 16));
      const pipeline = redis.pipeline();
      chunk.forEach((key, n) => {
        const want = expected.get(key) ?? new Set<string>();
        const have = new Set(live[n]);
        const missing = [...want].filter((m) => !have.has(m) && clean(m));
        const extra = [...have].filter((m) => !want.has(m) && clean(m));
        if (missing.length > 0) pipeline.sadd(key, ...missing);
        if (extra.length > 0) pipeline.srem(key, ...extra);
        if (want.size === 0) emptied.push(key);
        added += missing.length;
        removed += extra.length;
        members += want.size;
      });
      const listed = chunk.filter((key) => expected.has(key));
      if (listed.length > 0) pipeline.sadd(k.registry, ...listed);
      await execAll(pipeline);
    }
    for (const key of emptied) await forgetIfEmpty(k.registry, key);
    await redis.set(k.version, VOCABULARY_VERSION);
    await redis.del(k.journal);
    return { subscriptions, keys: expected.size, members, added, removed, termsStale };
  }

  return {
    async add(sub) {
      await change(
        sub,
        { keys: [], member: '' },
        { keys: keysOf(sub, sub.terms), member: member(sub) },
      );
    },

    async remove(sub) {
      await change(sub, { keys: allKeysOf(sub), member: member(sub) }, { keys: [], member: '' });
    },

    async move(subs, toPersonId) {
      for (const sub of subs) {
        const moved = { ...sub, personId: toPersonId };
        await change(
          sub,
          { keys: allKeysOf(sub), member: member(sub) },
          { keys: keysOf(moved, moved.terms), member: member(moved) },
        );
      }
    },

    async match(posting) {
      const district = districtOf(posting.district);
      const category = posting.category && isCategory(posting.category) ? posting.category : null;
      const districts = district ? [district, null] : [null];
      const categories = category ? [category, null] : [null];
      const keys: string[] = [];
      for (const term of [...postingTerms(posting), ANY])
        for (const d of districts) for (const c of categories) keys.push(setKey(term, d, c));
      if (keys.length <= CHUNK) return byPerson(await redis.sunion(...keys));
      const members = new Set<string>();
      const pipeline = redis.pipeline();
      for (let i = 0; i < keys.length; i += CHUNK) pipeline.sunion(...keys.slice(i, i + CHUNK));
      for (const value of await execAll(pipeline))
        if (Array.isArray(value)) for (const m of value) members.add(String(m));
      return byPerson(members);
    },

    rebuildIndex,

    async ensureIndex() {
      if ((await redis.get(k.version)) === VOCABULARY_VERSION) return null;
      try {
        return await rebuildIndex();
      } catch (err) {
        // another process is rebuilding it
        if (err instanceof AppError && err.code === 'busy') return null;
        throw err;
      }
    },

    async stats() {
      const keys = await redis.smembers(k.registry);
      let members = 0;
      for (let i = 0; i < keys.length; i += CHUNK) {
        const pipeline = redis.pipeline();
        for (const key of keys.slice(i, i + CHUNK)) pipeline.scard(key);
        for (const n of await execAll(pipeline)) members += Number(n) || 0;
      }
      return { keys: keys.length, members };
    },
  };
}

/** A subscription's set member: ids in base64url (12 bytes → 16 characters) and its mode. */
function member(sub: Pick<IndexedSubscription, 'id' | 'personId' | 'mode'>): string {
  return `${b64(sub.id)}${b64(sub.personId)}${sub.mode === 'digest' ? 'd' : 'i'}`;
}

/** Runs a pipeline; its first failed command's error is thrown. */
async function execAll(pipeline: ChainableCommander): Promise<unknown[]> {
  return ((await pipeline.exec()) ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** A Lua script with any number of keys, run by its SHA (see lib/redis-script.ts). */
function scriptWithKeys(redis: Redis, lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
        return redis.eval(lua, keys.length, ...keys, ...args);
      throw err;
    }
  };
}

function b64(hexId: string): string {
  return Buffer.from(hexId, 'hex').toString('base64url');
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEXTET = new Int8Array(128);
for (let i = 0; i < 64; i++) SEXTET[BASE64URL.charCodeAt(i)] = i;
const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));

/**
 * The 24 hex digits of the id at `from` in a member: two base64url characters are 12 bits, three
 * hex digits. Five times faster than Buffer for these short strings, and a match decodes thousands.
 */
function hex(m: string, from: number): string {
  let out = '';
  for (let i = from; i < from + 16; i += 2)
    out += HEX3[(SEXTET[m.charCodeAt(i) & 127]! << 6) | SEXTET[m.charCodeAt(i + 1) & 127]!]!;
  return out;
}

/** Members → one match per person (a match decodes thousands: one object per person, no more). */
function byPerson(members: Iterable<string>): Match[] {
  const people = new Map<string, Match>();
  const out: Match[] = [];
  for (const m of members) {
    const person = m.slice(16, 32);
    const id = hex(m, 0);
    const seen = people.get(person);
    if (seen === undefined) {
      const match: Match = {
        personId: hex(m, 16),
        subscriptionId: id,
        subscriptionIds: [id],
        mode: m.charCodeAt(32) === DIGEST ? 'digest' : 'instant',
      };
      people.set(person, match);
      out.push(match);
    } else {
      seen.subscriptionIds.push(id);
      if (m.charCodeAt(32) !== DIGEST) seen.mode = 'instant';
      if (id < seen.subscriptionId) seen.subscriptionId = id;
    }
  }
  for (const match of out) if (match.subscriptionIds.length > 1) match.subscriptionIds.sort();
  return out;
}
