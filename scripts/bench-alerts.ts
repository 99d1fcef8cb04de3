/**
 * npm run bench:alerts — job alert matching (issue 13's Measure), in one process on the local
 * Redis and FerretDB (or MONGODB_URI / REDIS_URL).
 *
 * BENCH_SUBSCRIPTIONS subscriptions (default 100,000) of BENCH_PEOPLE people (70,000): keyword
 * mixes over the variant groups (everyday names, narrower names, Tibetan glossary forms) and free
 * words, in both languages; 55 % with a district, 8 % with a category, 80 % instant. They are
 * written straight into MongoDB (insertMany, timed apart), then the index is built from MongoDB
 * (`rebuildIndex`, timed, with Redis memory before and after). BENCH_POSTINGS postings (1,000)
 * are matched one at a time after a warm-up of 100: time per posting and matches (would-be
 * alerts: people) per second; then again with BENCH_IN_FLIGHT (8) in flight. BENCH_MONGO_COMPARE
 * postings (5) are matched by a MongoDB query on the stored terms (what the index replaces), and
 * a few chat-path repository calls are timed at this size. BENCH_ENQUEUE_POSTINGS postings (20)
 * go through what the worker's `match` job does: match, then one alert job per person (addBulk):
 * alerts enqueued per second; and the first write of an alert job (its record), timed. A database and Redis prefix of its
 * own, both dropped at the end.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose, { Types } from 'mongoose';
import { cpus, loadavg, totalmem } from 'node:os';
import { addAlertJobs, alertJobsFor, ALERT_QUEUE, type AlertJob } from '../src/jobs/alert.queue.js';
import { createAlertRepo } from '../src/jobs/alert.repo.js';
import { createMatcher, type PostingToMatch } from '../src/jobs/match.js';
import { subscriptionModel, type SubscriptionDoc } from '../src/jobs/subscription.model.js';
import { createSubscriptionRepo } from '../src/jobs/subscription.repo.js';
import { postingTerms, termsOf, VARIANTS } from '../src/jobs/terms.js';
import { testMongoUri } from '../test/support/app.js';
import { daemonPids, withCpu } from './bench-support.js';

const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 100_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 70_000);
const POSTINGS = Number(process.env.BENCH_POSTINGS ?? 1000);
const MONGO_COMPARE = Number(process.env.BENCH_MONGO_COMPARE ?? 5);
const WARM_UP = 100;
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
const ENQUEUE_POSTINGS = Number(process.env.BENCH_ENQUEUE_POSTINGS ?? 20);
const SEED_BATCH = 5000;
const STAMP = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const PREFIX = `bench:alerts:${STAMP}:`;

// ------------------------------------------------------------------ realistic data

/** Deterministic random numbers (mulberry32), so two runs match the same data. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(13);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
/** Picks by weight: common kinds of work far more often than rare ones (Zipf-like). */
const zipf = <T>(list: readonly T[]): T => list[Math.floor(list.length * random() ** 2)]!;

const DISTRICTS = [
  '城关区',
  '城关区',
  '城关区',
  '堆龙德庆区',
  '达孜区',
  '林周县',
  '当雄县',
  '尼木县',
  '曲水县',
  '墨竹工卡县',
];
const TIBETAN = [
  'སྲུང་སྐྱོབ་པ',
  'གཙང་སྦྲ་བ',
  'ཁ་ལོ་བ',
  'ཟས་བཟོ',
  'གློག་བཟོ',
  'ཐབ་ཚང་གི་ལས་རོགས',
  'ཚ་སྦྱོར',
  'ཨར་ལས',
  'ཁྱིམ་ལས་ཞབས་ཞུ',
  'མཛོད་ཁང་དོ་དམ་པ',
  'སྤྱི་ཕན་ལས་གནས',
  'གླ་ལས་ཐོར་བུ',
  'སྲུང་སྐྱོབ་པའི་ལས་ཀ',
  'ཚོང་ཁང་ཆེན་མོ',
];
const FREE = [
  '夜班',
  '白班',
  '藏餐',
  '甜茶馆',
  '兼职',
  '长期',
  '包吃住',
  '英语',
  '电脑',
  '酒店',
  '超市',
  '小区',
  '医院',
  '学校',
  '工地',
  '物流',
  '餐厅',
  '景区',
  '柳梧',
  '拉萨',
  'A1',
  'C1',
  '驾照',
  '藏语',
  '保安工作',
  '我要找保安',
  '夜班保安',
];
/** The groups, most common first (as the variant file lists them). */
const GROUPS = VARIANTS.groups;

function keywordsFor(tibetan: boolean): string[] {
  const count = 1 + Math.floor(random() ** 2 * 4); // 1–4, mostly 1–2
  return Array.from({ length: count }, () => {
    const r = random();
    if (tibetan && r < 0.5) return pick(TIBETAN);
    if (r < 0.75) {
      const g = zipf(GROUPS);
      return random() < 0.8 || g.narrower.length === 0 ? pick(g.zh) : pick(g.narrower);
    }
    return pick(FREE);
  });
}

function subscriptionDocs(count: number): Omit<SubscriptionDoc, '_id'>[] {
  const people = Array.from({ length: PEOPLE }, () => new Types.ObjectId());
  const now = new Date();
  return Array.from({ length: count }, (_, i) => {
    // the first PEOPLE subscriptions give everyone one; the rest go to people again
    const personId = i < PEOPLE ? people[i]! : pick(people);
    const tibetan = personId.getTimestamp().getTime() % 5 < 2 || random() < 0.3;
    const keywords = [...new Set(keywordsFor(tibetan))];
    return {
      personId,
      keywords,
      terms: termsOf(keywords),
      district: random() < 0.55 ? pick(DISTRICTS) : null,
      category: random() < 0.08 ? zipf(GROUPS).id : null,
      mode: random() < 0.8 ? 'instant' : 'digest',
      source: random() < 0.7 ? 'chat' : 'intake',
      createdAt: now,
    };
  });
}

const COMPANIES = [
  '拉萨某物业公司',
  '城关区某酒店',
  '某连锁超市',
  '某建筑公司',
  '某餐饮公司',
  '某物流公司',
];
const SHIFTS = ['夜班', '白班', '长期', '包吃住', '五险一金'];

function postingFor(i: number): PostingToMatch {
  const g = zipf(GROUPS);
  const job = random() < 0.75 || g.narrower.length === 0 ? pick(g.zh) : pick(g.narrower);
  const templates = [
    () => job,
    () => `${pick(COMPANIES)}招聘${job}`,
    () => `${job}（${pick(SHIFTS)}）`,
    () => `急招${job}${1 + (i % 9)}名`,
    () => `${pick(DISTRICTS)}${job}，${pick(SHIFTS)}`,
    () => '急招3名', // names no work: the description does
  ];
  const zh = pick(templates)();
  const bo = random() < 0.15 ? pick(TIBETAN) : undefined;
  const description =
    random() < 0.6
      ? `${pick(COMPANIES)}因业务发展招聘${job}。要求：身体健康，吃苦耐劳，有相关经验者优先；工作时间${pick(SHIFTS)}；月薪4000-6000元，详情电话咨询。`
      : undefined;
  return {
    title: { 'zh-CN': zh, bo },
    description,
    district: pick(DISTRICTS),
    category: random() < 0.3 ? g.id : null,
  };
}

// ------------------------------------------------------------------ measuring

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const log = (line: string) => process.stderr.write(`[bench:alerts] ${line}\n`);

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function main() {
  const conn = await mongoose
    .createConnection(testMongoUri(`bench_alerts_${STAMP}`, process.env.MONGODB_URI))
    .asPromise();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6381');
  const matcher = createMatcher({ redis, prefix: PREFIX, mongo: conn });
  const repo = createSubscriptionRepo(conn);
  const Sub = subscriptionModel(conn);
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    log(line);
  };
  try {
    say(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    await Sub.init();

    // --- seeding (not part of the measure)
    const docs = subscriptionDocs(SUBSCRIPTIONS);
    let started = performance.now();
    for (let i = 0; i < docs.length; i += SEED_BATCH)
      await Sub.insertMany(docs.slice(i, i + SEED_BATCH), { lean: true });
    const keywordCount = docs.reduce((n, d) => n + d.keywords.length, 0);
    const termCount = docs.reduce((n, d) => n + Math.max(1, d.terms.length), 0);
    say(
      `seeded ${docs.length} subscriptions of ${PEOPLE} people (${(keywordCount / docs.length).toFixed(2)} keywords, ${(termCount / docs.length).toFixed(2)} terms each) in ${((performance.now() - started) / 1000).toFixed(1)} s (insertMany, not measured)`,
    );

    // --- building the index from MongoDB
    const memoryBefore = await usedMemory(redis);
    const built = await matcher.rebuildIndex();
    const memoryAfter = await usedMemory(redis);
    const stats = await matcher.stats();
    const bytes = memoryAfter - memoryBefore;
    say(
      `index built from MongoDB in ${(built.ms / 1000).toFixed(1)} s: ${built.subscriptions} subscriptions, ${stats.keys} sets, ${stats.members} members; Redis memory +${(bytes / 2 ** 20).toFixed(1)} MiB = ${(bytes / built.subscriptions).toFixed(0)} bytes per subscription, ${(bytes / stats.members).toFixed(0)} per member`,
    );

    // --- incremental changes (what /subscribe and /unsubscribe add to a database write)
    const sample = await Sub.find({}).limit(1000).lean();
    const changeMs: number[] = [];
    for (const d of sample) {
      const sub = {
        id: d._id.toHexString(),
        personId: d.personId.toHexString(),
        keywords: d.keywords,
        terms: d.terms,
        district: d.district,
        category: d.category,
        mode: d.mode,
      };
      const t0 = performance.now();
      await matcher.remove(sub);
      await matcher.add(sub);
      changeMs.push(performance.now() - t0);
    }
    changeMs.sort((a, b) => a - b);
    say(
      `index remove + add of one subscription (${sample.length}×): p50 ${f(quantile(changeMs, 0.5))} ms, p99 ${f(quantile(changeMs, 0.99))} ms`,
    );

    // --- matching, one posting at a time
    const postings = Array.from({ length: POSTINGS + WARM_UP }, (_, i) => postingFor(i));
    for (const p of postings.slice(0, WARM_UP)) await matcher.match(p);
    const measured = postings.slice(WARM_UP);
    const times: number[] = [];
    const termsPer: number[] = [];
    let matchedPeople = 0;
    let matchedSubs = 0;
    const pids = daemonPids();
    const sequential = await withCpu(pids, async () => {
      const t0 = performance.now();
      for (const p of measured) {
        const t = performance.now();
        const matches = await matcher.match(p);
        times.push(performance.now() - t);
        termsPer.push(postingTerms(p).length);
        matchedPeople += matches.length;
        for (const m of matches) matchedSubs += m.subscriptionIds.length;
      }
      return { turns: measured.length, ms: performance.now() - t0 };
    });
    times.sort((a, b) => a - b);
    termsPer.sort((a, b) => a - b);
    const cpu = Object.entries(sequential.cpu)
      .map(([k, v]) => `${k === 'load generator + Bot API server' ? 'bench (Node)' : k} ${f(v)} ms`)
      .join(', ');
    say(
      `match, one at a time (${measured.length} postings, ${WARM_UP} warm-up first): p50 ${f(quantile(times, 0.5))} ms, p95 ${f(quantile(times, 0.95))} ms, p99 ${f(quantile(times, 0.99))} ms, max ${f(times.at(-1) ?? NaN)} ms (target p99 < 50 ms: ${quantile(times, 0.99) < 50 ? 'met' : 'NOT met'})`,
    );
    say(
      `  ${matchedPeople} matches (people to alert; ${matchedSubs} subscriptions) = ${(matchedPeople / measured.length).toFixed(0)} per posting, ${((matchedPeople / sequential.ms) * 1000).toFixed(0)} matches/s; terms per posting p50 ${quantile(termsPer, 0.5)}, max ${termsPer.at(-1)}; CPU per posting: ${cpu}`,
    );

    // --- matching, several in flight (throughput)
    started = performance.now();
    let next = 0;
    let concurrentPeople = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < measured.length) {
          const p = measured[next++]!;
          const matches = await matcher.match(p);
          concurrentPeople += matches.length;
        }
      }),
    );
    const concurrentMs = performance.now() - started;
    say(
      `match, ${IN_FLIGHT} in flight: ${((measured.length / concurrentMs) * 1000).toFixed(0)} postings/s, ${((concurrentPeople / concurrentMs) * 1000).toFixed(0)} matches/s`,
    );

    // --- from match to queued alerts: the worker's `match` job, then each alert's claim
    const queueConnection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6381', {
      maxRetriesPerRequest: null,
    });
    const queue = new Queue<AlertJob>(ALERT_QUEUE, {
      connection: queueConnection,
      prefix: `${PREFIX}bull`,
    });
    let enqueueMs = 0;
    let enqueued = 0;
    const claims: { jobId: string; personId: string; subscriptionId: string }[] = [];
    for (const p of measured.slice(0, ENQUEUE_POSTINGS)) {
      const jobId = new Types.ObjectId().toHexString();
      const t = performance.now();
      const matches = await matcher.match(p);
      for (let i = 0; i < matches.length; i += 1000)
        await addAlertJobs(queue, alertJobsFor(jobId, matches.slice(i, i + 1000)));
      enqueueMs += performance.now() - t;
      enqueued += matches.length;
      for (const m of matches.slice(0, 50)) claims.push({ jobId, ...m });
    }
    say(
      `match job, ${ENQUEUE_POSTINGS} postings (${enqueued} alerts): match + enqueue ${f(enqueueMs / ENQUEUE_POSTINGS)} ms per posting, ${((enqueued / enqueueMs) * 1000).toFixed(0)} alerts enqueued/s`,
    );
    // Each alert job's first write: its record (the never-twice guard), on this database.
    const records = createAlertRepo(conn);
    const claimMs: number[] = [];
    for (const c of claims) {
      const t = performance.now();
      await records.claim({ ...c, at: new Date() });
      claimMs.push(performance.now() - t);
    }
    claimMs.sort((a, b) => a - b);
    say(
      `  alert record claim (${claims.length}×, collection growing to ${claims.length}): p50 ${f(quantile(claimMs, 0.5))} ms, p99 ${f(quantile(claimMs, 0.99))} ms`,
    );
    await queue.obliterate({ force: true });
    await queue.close();
    await queueConnection.quit();

    // --- what the index replaces: a MongoDB query on the stored terms
    for (const p of measured.slice(0, MONGO_COMPARE)) {
      const t = performance.now();
      const found = await Sub.find(
        { terms: { $in: postingTerms(p) }, district: { $in: [p.district ?? null, null] } },
        { _id: 1, personId: 1 },
      ).lean();
      say(
        `  MongoDB $in query instead (one posting): ${f(performance.now() - t)} ms, ${found.length} subscriptions`,
      );
    }

    // --- the chat path at this size (repository calls on MongoDB)
    const person = docs[0]!.personId.toHexString();
    for (const [name, call] of [
      ['list one person', () => repo.list(person)],
      ['count one person', () => repo.count(person)],
      [
        'add one (limit check + insert)',
        () => repo.add({ personId: person, keywords: ['保安'], source: 'chat', at: new Date() }),
      ],
    ] as const) {
      const t = performance.now();
      await call();
      say(`  chat path at ${SUBSCRIPTIONS} subscriptions: ${name} ${f(performance.now() - t)} ms`);
    }
    say(
      `load average at end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await redis.quit();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
