import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMatcher, type Matcher, type PostingToMatch } from '../src/jobs/match.js';
import {
  createSubscriptionRepo,
  MAX_SUBSCRIPTIONS_PER_PERSON,
  type NewSubscription,
  type Subscription,
  type SubscriptionRepo,
} from '../src/jobs/subscription.repo.js';
import { subscriptionModel } from '../src/jobs/subscription.model.js';
import { testMongoUri } from './support/app.js';

/** Job alert subscriptions and the match index, on the real Redis and FerretDB. */
const id = randomUUID().slice(0, 8);
const prefix = `test:match:${id}:`;
let conn: mongoose.Connection;
let redis: Redis;
let repo: SubscriptionRepo;
let matcher: Matcher;

beforeAll(async () => {
  conn = await mongoose.createConnection(testMongoUri(`test_match_${id}`)).asPromise();
  await subscriptionModel(conn).init();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6381');
  repo = createSubscriptionRepo(conn);
  matcher = createMatcher({ redis, prefix, mongo: conn });
});

afterAll(async () => {
  await dropIndex();
  await redis?.quit();
  await conn?.dropDatabase().catch(() => undefined);
  await conn?.close();
});

beforeEach(async () => {
  await subscriptionModel(conn).deleteMany({});
  await dropIndex();
});

async function dropIndex(): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

const person = () => new Types.ObjectId().toHexString();

/** Subscribes as `/subscribe` will: save, then index. */
async function subscribe(
  personId: string,
  keywords: string,
  more: Partial<NewSubscription> = {},
): Promise<Subscription> {
  const added = await repo.add({
    personId,
    keywords: [keywords],
    source: 'chat',
    at: new Date(),
    ...more,
  });
  if (!added.ok) throw new Error(`not added: ${added.reason}`);
  await matcher.add(added.subscription);
  return added.subscription;
}

const posting = (title: string, more: Partial<PostingToMatch> = {}): PostingToMatch => ({
  title: { 'zh-CN': title },
  district: '城关区',
  ...more,
});
const people = async (p: PostingToMatch) => (await matcher.match(p)).map((m) => m.personId).sort();

/** The whole index: every key under the prefix with its members (sets) or value. */
async function snapshot(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const key of (await redis.keys(`${prefix}sub:t:*`)).sort())
    out[key] = (await redis.smembers(key)).sort();
  out.registry = (await redis.smembers(`${prefix}sub:keys`)).sort();
  return out;
}

describe('subscriptions', () => {
  it('adds one subscription per call, lists them oldest first, counts them', async () => {
    const p = person();
    const a = await subscribe(p, '保安 门卫,保洁');
    const b = await subscribe(p, '保安 门卫,保洁');
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({
      keywords: ['保安', '门卫', '保洁'],
      terms: ['g:cleaning', 'g:security'],
      district: null,
      category: null,
      mode: 'instant',
      source: 'chat',
    });
    expect((await repo.list(p)).map((s) => s.id)).toEqual([a.id, b.id]);
    expect(await repo.count(p)).toBe(2);
    expect(await repo.count()).toBe(2);
  });

  it('refuses what cannot match, a wrong district or category, and too many', async () => {
    const p = person();
    const add = (more: Partial<NewSubscription>) =>
      repo.add({ personId: p, keywords: [], source: 'chat', at: new Date(), ...more });
    expect(await add({})).toEqual({ ok: false, reason: 'empty' });
    expect(await add({ keywords: ['工作 🚓'] })).toEqual({ ok: false, reason: 'no-terms' });
    expect(await add({ keywords: ['保安'], district: '北京' })).toEqual({
      ok: false,
      reason: 'district',
    });
    expect(await add({ keywords: ['保安'], category: 'A B' })).toEqual({
      ok: false,
      reason: 'category',
    });
    expect(await add({ keywords: ['保安'], personId: 'nobody' })).toEqual({
      ok: false,
      reason: 'person',
    });
    const tibetan = await add({ keywords: ['保安'], district: 'ཁྲིན་ཀོན་ཆུས' });
    expect(tibetan.ok && tibetan.subscription.district).toBe('城关区');
    for (let i = 1; i < MAX_SUBSCRIPTIONS_PER_PERSON; i++)
      expect((await add({ keywords: [`词${i}`] })).ok).toBe(true);
    expect(await add({ keywords: ['司机'] })).toEqual({ ok: false, reason: 'limit' });
  });

  it('stores hostile keywords cleaned and bounded, and matches with them safely', async () => {
    const p = person();
    const sub = await subscribe(
      p,
      `${'保'.repeat(10_000)} __proto__ 保\u0000安 .*+?(门卫) 🚓 constructor ${'x'.repeat(21)}`,
    );
    expect(sub.keywords).toEqual(['proto', '保安', '+?(门卫', 'constructor']);
    expect(sub.terms).toEqual(['g:security', 'w:constructor', 'w:proto']);
    const stored = await subscriptionModel(conn).findById(sub.id).lean();
    expect(JSON.stringify(stored)).not.toContain('\u0000');
    expect(await people(posting('门卫'))).toEqual([p]);
    expect(await people(posting('__proto__ constructor'))).toEqual([p]);
    expect(await people(posting('.*'))).toEqual([]);
  });
});

describe('matching', () => {
  it('保安 matches 安保员 and 门卫 postings, and not 保洁', async () => {
    const p = person();
    await subscribe(p, '保安');
    expect(await people(posting('安保员'))).toEqual([p]);
    expect(await people(posting('门卫（夜班）'))).toEqual([p]);
    expect(await people(posting('小区保安（夜班）'))).toEqual([p]);
    expect(await people(posting('保洁员'))).toEqual([]);
  });

  it('a Tibetan keyword matches a Chinese posting through the glossary', async () => {
    const p = person();
    const q = person();
    await subscribe(p, 'སྲུང་སྐྱོབ་པ');
    await subscribe(q, 'ཚོང་ཁང་ཆེན་མོ');
    expect(await people(posting('门卫'))).toEqual([p]);
    expect(await people(posting('超市收银员'))).toEqual([q]);
  });

  it('a district only matches postings there; none matches anywhere', async () => {
    const there = person();
    const anywhere = person();
    await subscribe(there, '保安', { district: '城关区' });
    await subscribe(anywhere, '保安');
    expect(await people(posting('保安', { district: '城关区' }))).toEqual([there, anywhere].sort());
    expect(await people(posting('保安', { district: 'ཁྲིན་ཀོན་ཆུས' }))).toEqual(
      [there, anywhere].sort(),
    );
    expect(await people(posting('保安', { district: '达孜区' }))).toEqual([anywhere]);
    expect(await people(posting('保安', { district: null }))).toEqual([anywhere]);
  });

  it('a category only matches postings filed under it; no keywords means any work', async () => {
    const filed = person();
    const any = person();
    await subscribe(filed, '夜班', { category: 'security' });
    const all = await repo.add({
      personId: any,
      keywords: [],
      district: '当雄县',
      source: 'intake',
      at: new Date(),
      mode: 'digest',
    });
    if (!all.ok) throw new Error(all.reason);
    await matcher.add(all.subscription);
    expect(await people(posting('夜班门卫', { category: 'security' }))).toEqual([filed]);
    expect(await people(posting('夜班门卫', { category: 'cleaning' }))).toEqual([]);
    expect(await people(posting('夜班门卫'))).toEqual([]);
    const inDamxung = await matcher.match(posting('牧工', { district: '当雄县' }));
    const only = all.subscription.id;
    expect(inDamxung).toEqual([
      { personId: any, subscriptionId: only, subscriptionIds: [only], mode: 'digest' },
    ]);
  });

  it('several matching subscriptions of one person give one match', async () => {
    const p = person();
    const a = await subscribe(p, '保安');
    const b = await subscribe(p, '门卫 夜班', { mode: 'digest' });
    await subscribe(p, '厨师');
    const matches = await matcher.match(posting('小区门卫（夜班）'));
    expect(matches).toEqual([
      { personId: p, subscriptionId: a.id, subscriptionIds: [a.id, b.id], mode: 'instant' },
    ]);
  });

  it('removal, removing all and moving to another person update the index', async () => {
    const p = person();
    const q = person();
    const a = await subscribe(p, '保安');
    const b = await subscribe(p, '厨师', { district: '城关区' });
    expect(await repo.remove(q, a.id)).toBeNull(); // only the person's own
    const removed = await repo.remove(p, a.id);
    expect(removed?.id).toBe(a.id);
    await matcher.remove(removed!);
    expect(await people(posting('保安'))).toEqual([]);
    expect(await people(posting('厨师'))).toEqual([p]);

    const moved = await repo.moveTo(p, q);
    await matcher.move(moved, q);
    expect(await repo.list(p)).toEqual([]);
    expect((await repo.list(q)).map((s) => s.id)).toEqual([b.id]);
    expect(await people(posting('厨师'))).toEqual([q]);

    await subscribe(q, '司机');
    const gone = await repo.removeAll(q);
    for (const sub of gone) await matcher.remove(sub);
    expect(gone).toHaveLength(2);
    expect(await people(posting('厨师'))).toEqual([]);
    expect(await people(posting('司机'))).toEqual([]);
    expect(await matcher.stats()).toEqual({ keys: 0, members: 0 });
  });

  it('rebuildIndex from MongoDB equals the incremental index, and repairs it', async () => {
    const p = person();
    const q = person();
    await subscribe(p, '保安 夜班', { district: '城关区' });
    await subscribe(p, 'ཁ་ལོ་བ', { mode: 'digest' });
    const c = await subscribe(q, '厨师', { category: 'kitchen' });
    const d = await subscribe(q, '藏餐');
    const gone = await repo.remove(q, d.id);
    await matcher.remove(gone!);
    const moved = await repo.moveTo(p, q);
    await matcher.move(moved, q);
    const incremental = await snapshot();

    await dropIndex();
    const rebuilt = await matcher.rebuildIndex();
    expect(rebuilt).toMatchObject({ subscriptions: 3, added: 4, removed: 0, termsStale: 0 });
    expect(await snapshot()).toEqual(incremental);

    // repair: a stale member, a lost set
    const someKey = Object.keys(incremental).find((key) => key.includes('g:kitchen'))!;
    await redis.sadd(someKey, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAi');
    await redis.del(Object.keys(incremental).find((key) => key.includes('g:security'))!);
    expect(await matcher.rebuildIndex()).toMatchObject({ added: 1, removed: 1 });
    expect(await snapshot()).toEqual(incremental);
    expect(await people(posting('厨师', { category: 'kitchen' }))).toEqual([q]);
    expect((await matcher.match(posting('厨师', { category: 'kitchen' })))[0]?.subscriptionId).toBe(
      c.id,
    );

    // terms stored by an older vocabulary: the index uses today's, removal finds both
    await subscriptionModel(conn).updateOne({ _id: c.id }, { $set: { terms: ['w:old'] } });
    await dropIndex();
    expect(await matcher.rebuildIndex()).toMatchObject({ termsStale: 1, added: 4 });
    expect(await snapshot()).toEqual(incremental);
    const stale = (await repo.list(q)).find((s) => s.id === c.id)!;
    expect(stale.terms).toEqual(['w:old']);
    await redis.sadd(`${prefix}sub:t:*:kitchen:w:old`, (await redis.smembers(someKey))[0]!);
    await matcher.remove(stale);
    expect(await redis.exists(`${prefix}sub:t:*:kitchen:w:old`, someKey)).toBe(0);
  });

  it('a rebuild keeps what changed while it ran, and only one runs at a time', async () => {
    const p = person();
    await subscribe(p, '保安');
    await redis.set(`${prefix}sub:version`, 'old');
    // a change journaled after the rebuild started is left alone
    const [result] = await Promise.all([
      matcher.ensureIndex(),
      (async () => {
        const added = await repo.add({
          personId: p,
          keywords: ['司机'],
          source: 'chat',
          at: new Date(),
        });
        if (added.ok) await matcher.add(added.subscription);
      })(),
    ]);
    expect(result).not.toBeNull();
    expect(await people(posting('司机'))).toEqual([p]);
    expect(await matcher.ensureIndex()).toBeNull(); // current
    expect(await redis.exists(`${prefix}sub:journal`)).toBe(0); // only while a rebuild runs
    await redis.set(`${prefix}sub:rebuild`, 'someone');
    await expect(matcher.rebuildIndex()).rejects.toMatchObject({ code: 'busy' });
    await redis.set(`${prefix}sub:version`, 'old');
    expect(await matcher.ensureIndex()).toBeNull(); // busy: the other process builds it
    const during = await subscribe(p, '厨师');
    expect(await redis.zrange(`${prefix}sub:journal`, 0, -1)).toEqual([
      Buffer.from(during.id, 'hex').toString('base64url'),
    ]);
  });

  it('answers in milliseconds with thousands of subscriptions', async () => {
    const Sub = subscriptionModel(conn);
    const words = ['保安', '保洁', '司机', '厨师', '服务员', '导游', '夜班', 'སྲུང་སྐྱོབ་པ'];
    const docs = Array.from({ length: 5000 }, (_, i) => ({
      personId: new Types.ObjectId(),
      keywords: [words[i % words.length]!],
      terms: [],
      district: i % 3 === 0 ? '城关区' : null,
      category: null,
      mode: 'instant' as const,
      source: 'chat' as const,
      createdAt: new Date(),
    }));
    await Sub.insertMany(docs);
    expect(await matcher.rebuildIndex()).toMatchObject({ subscriptions: 5000, termsStale: 5000 });
    const started = performance.now();
    const matches = await matcher.match(posting('小区保安（夜班）'));
    expect(performance.now() - started).toBeLessThan(500); // generous: a shared test machine
    // 保安 + སྲུང་སྐྱོབ་པ (same group) + 夜班: 3 of 8 keywords
    expect(matches).toHaveLength(Math.round((5000 * 3) / 8));
  });
});
