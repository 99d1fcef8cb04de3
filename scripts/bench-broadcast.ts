/**
 * npm run bench:broadcast — outreach campaigns (issue 10's Measure), in one process: the real
 * app (admin API, webhook) and the real campaign workers on real Redis + FerretDB, with the test
 * suite's fake Bot API server on loopback.
 *
 * Phase A (fan-out, unlimited sends): BENCH_RECIPIENTS people (default 100,000); the campaign's
 * fan-out timed with the send queue paused (in production sends go at 25/s beside it: nothing),
 * then the queue resumed against a stub channel that accepts at once (sends/s of one worker).
 * Phase B (Telegram's limit): BENCH_LIMITED people (default 3,000) through the real Telegram
 * sender against the Bot API server enforcing 30/s and 1/s per chat, at an outreach rate of 30
 * (the limit) and 25 (the default). Phase C: during B, BENCH_CHATTERS people (default 20) chat
 * through the webhook (send, wait for the reply, read 0.5–1.5 s); their reply latency.
 * Each phase has its own database (dropped at the end) and Redis prefix.
 */
import { Types } from 'mongoose';
import { pino } from 'pino';
import { startCampaignWorkers } from '../src/campaigns/index.js';
import { campaignModels } from '../src/campaigns/campaign.model.js';
import { loadConfig } from '../src/config.js';
import { buildDeps, type AppDeps } from '../src/deps.js';
import { buildApp } from '../src/http/app.js';
import type { ChannelId } from '../src/messaging/inbound.js';
import type { Sender } from '../src/messaging/send.js';
import { personModels } from '../src/people/person.model.js';
import { testMongoUri } from '../test/support/app.js';
import { startBotApiServer, textUpdate, type BotApiServer } from '../test/support/bot-api/index.js';
import { daemonPids, withCpu } from './bench-support.js';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const LIMITED = Number(process.env.BENCH_LIMITED ?? 3000);
const CHATTERS = Number(process.env.BENCH_CHATTERS ?? 20);
/** Phase A sends for at most this long (FerretDB may need hours for 100,000). */
const SEND_SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 120);
const SEED_BATCH = 5000;
const STAMP = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const ADMIN = 'bench-broadcast-admin-0123456789';
const SECRET = 'bench_broadcast_secret';
/** Chat ids: phase A's people, phase B's, the people chatting. */
const FIRST_CHAT = { fanout: 10_000_000, limited: 20_000_000, chatter: 30_000_000 };
const ZH = '春风行动招聘会12月10日上午在城关区举行，欢迎参加。';
const BO = 'དཔྱིད་རླུང་བྱ་འགུལ་གྱི་ལས་མི་འདེད་འཛུགས་ཚོགས་འདུ་ཟླ་༡༢་ཚེས་༡༠་ལ་འཚོགས་རྒྱུ་ཡིན།';
const CHAT_TEXTS = ['你好', '失业金怎么领', '谢谢', '怎么找工作', '菜单'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

// ------------------------------------------------------------------ the app and its workers

interface BenchApp {
  deps: AppDeps;
  url: string;
  close(): Promise<void>;
}

/** The web role in-process, with a database and a Redis prefix of its own. */
async function startApp(
  name: string,
  api: BotApiServer,
  env: Record<string, string>,
): Promise<BenchApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6381',
    ADMIN_TOKEN: ADMIN,
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    QUIET_HOURS: '00:00-00:00',
    CAMPAIGN_APPROVAL_THRESHOLD: '1000000000',
    ...env,
    MONGODB_URI: testMongoUri(`bench_broadcast_${STAMP}_${name}`),
  });
  const log = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  const prefix = `bench:broadcast:${STAMP}:${name}:`;
  const deps = await buildDeps(config, log, { prefix });
  const app = await buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  return {
    deps,
    url,
    async close() {
      await deps.telegram?.stop();
      await app.close();
      const keys = await deps.redis.keys(`${prefix}*`);
      for (let i = 0; i < keys.length; i += 1000) await deps.redis.del(...keys.slice(i, i + 1000));
      await deps.mongo.dropDatabase().catch(() => undefined);
      await deps.close();
    },
  };
}

/** The worker role's outreach on the app's connections, with these senders at this rate. */
function startWorkers(deps: AppDeps, senders: ReadonlyMap<ChannelId, Sender>, rate: number) {
  return startCampaignWorkers({
    ...deps,
    senders,
    rates: { telegram: rate },
  });
}

/** People with a Telegram identity each (chat ids from `firstChat`), in batches; ms taken. */
async function seed(deps: AppDeps, count: number, firstChat: number): Promise<number> {
  const { Person, Identity } = personModels(deps.mongo);
  await Promise.all([Person.init(), Identity.init()]);
  const started = performance.now();
  const now = new Date();
  for (let from = 0; from < count; from += SEED_BATCH) {
    const ids = Array.from(
      { length: Math.min(SEED_BATCH, count - from) },
      () => new Types.ObjectId(),
    );
    await Person.insertMany(
      ids.map((_id) => ({
        _id,
        language: 'zh-CN',
        outreachOptOut: false,
        createdAt: now,
        lastSeenAt: now,
      })),
      { lean: true },
    );
    await Identity.insertMany(
      ids.map((personId, i) => ({
        _id: `telegram:${firstChat + from + i}`,
        personId,
        channel: 'telegram',
        createdAt: now,
        unreachableSince: null,
      })),
      { lean: true },
    );
  }
  return performance.now() - started;
}

/** A campaign to everyone, written through the admin API as an administrator would. */
async function createCampaign(app: BenchApp, title: string): Promise<string> {
  const res = await fetch(`${app.url}/api/admin/campaigns`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title, message: { 'zh-CN': ZH, bo: BO } }),
  });
  const body = (await res.json()) as { id?: string; status?: string };
  if (res.status !== 201 || body.status !== 'scheduled' || !body.id)
    throw new Error(`creating the campaign: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** Polls the campaign document until `done` holds; ms from `since` (performance.now()). */
async function waitCampaign(
  app: BenchApp,
  id: string,
  done: (c: { fanoutDone: boolean; status: string; recipients?: number | null }) => boolean,
  since: number,
): Promise<number> {
  for (;;) {
    const c = await app.deps.campaigns.repo.get(id);
    if (c && done(c)) return performance.now() - since;
    await sleep(100);
  }
}

/** Copies per chat → duplicates (copies beyond the first) and losses (chats never reached). */
function deliveryCheck(perChat: ReadonlyMap<number, number>, firstChat: number, count: number) {
  let duplicates = 0;
  let losses = 0;
  for (let chat = firstChat; chat < firstChat + count; chat++) {
    const n = perChat.get(chat) ?? 0;
    if (n === 0) losses++;
    else duplicates += n - 1;
  }
  const strays = [...perChat.keys()].filter((c) => c < firstChat || c >= firstChat + count);
  return { duplicates, losses, strays: strays.length };
}

// ------------------------------------------------------------------ phase A

/** A channel that accepts every message at once, counting copies per chat. */
function stubChannel() {
  const perChat = new Map<number, number>();
  const times = { first: 0, last: 0 };
  let sends = 0;
  const sender: Sender = {
    channel: 'telegram',
    async send(address) {
      const now = performance.now();
      if (sends === 0) times.first = now;
      times.last = now;
      sends++;
      perChat.set(Number(address), (perChat.get(Number(address)) ?? 0) + 1);
      return { messageIds: [String(sends)] };
    },
    parts: (messages) => messages.length,
  };
  return { sender, perChat, times, sends: () => sends };
}

/** Fan-out with the send queue paused: campaign created → `fanoutDone`. */
async function fanout(app: BenchApp, queue: { pause(): Promise<void> }) {
  await queue.pause();
  let ms = 0;
  let id = '';
  const { cpu } = await withCpu({ lamton: process.pid, ...daemonPids() }, async () => {
    const started = performance.now();
    id = await createCampaign(app, '春风行动招聘会 (fan-out)');
    // Done when the recipients are counted (the fan-out's last write, after `fanoutDone`).
    ms = await waitCampaign(app, id, (c) => c.fanoutDone && c.recipients != null, started);
    return { turns: RECIPIENTS };
  });
  const recipients = (await app.deps.campaigns.repo.get(id))?.recipients ?? 0;
  return { id, ms, recipients, cpu };
}

/** The queue resumed: sends until the campaign completes or BENCH_SEND_SECONDS pass. */
async function unlimitedSends(
  app: BenchApp,
  id: string,
  queue: { resume(): Promise<void> },
  stub: ReturnType<typeof stubChannel>,
) {
  const resumed = performance.now();
  await queue.resume();
  let completeMs: number | null = null;
  const { cpu } = await withCpu({ lamton: process.pid, ...daemonPids() }, async () => {
    const done = waitCampaign(app, id, (c) => c.status === 'completed', resumed);
    completeMs = await Promise.race([done, sleep(SEND_SECONDS * 1000).then(() => null)]);
    return { turns: stub.sends() };
  });
  const sendSeconds = (stub.times.last - stub.times.first) / 1000;
  return {
    sends: stub.sends(),
    perSecond: stub.sends() / sendSeconds,
    sendSeconds,
    completeMs: completeMs as number | null,
    cpu,
  };
}

async function phaseA(api: BotApiServer) {
  const app = await startApp('fanout', api, { TELEGRAM_MODE: 'polling' });
  try {
    log(`phase A: seeding ${RECIPIENTS} people…`);
    const seedMs = await seed(app.deps, RECIPIENTS, FIRST_CHAT.fanout);
    log(`phase A: seeded in ${seconds(seedMs)} s; fan-out…`);
    const stub = stubChannel();
    const workers = await startWorkers(app.deps, new Map([['telegram', stub.sender]]), 1_000_000);
    try {
      const queue = workers.sendQueues.get('telegram')!;
      const f = await fanout(app, queue);
      log(`phase A: fanned out to ${f.recipients} in ${seconds(f.ms)} s; sending…`);
      const s = await unlimitedSends(app, f.id, queue, stub);
      await workers.close();
      const check = deliveryCheck(stub.perChat, FIRST_CHAT.fanout, RECIPIENTS);
      return {
        seedMs,
        fanoutMs: f.ms,
        recipients: f.recipients,
        fanoutCpu: f.cpu,
        ...s,
        ...check,
        // Not completed: the chats not reached yet are no losses.
        losses: s.completeMs === null ? null : check.losses,
        retried: await retried(app, f.id),
      };
    } finally {
      await workers.close();
    }
  } finally {
    await app.close();
  }
}

/** Delivery records claimed more than once (a send retried after a database error). */
async function retried(app: BenchApp, campaignId: string): Promise<number> {
  const { Delivery } = campaignModels(app.deps.mongo);
  return Delivery.countDocuments({
    campaignId: new Types.ObjectId(campaignId),
    attempts: { $gt: 1 },
  });
}

// ------------------------------------------------------------------ phases B and C

/**
 * Successful sendMessage calls the Bot API server received, as they are answered: resolves a
 * waiting person's promise with the time the reply arrived (read off `api.calls`, no scans).
 */
function replyWatcher(api: BotApiServer) {
  const waiting = new Map<number, { since: number; resolve: (at: number) => void }>();
  let cursor = 0;
  const timer = setInterval(() => {
    const calls = api.calls;
    if (cursor > calls.length) cursor = 0; // reset meanwhile
    for (; cursor < calls.length; cursor++) {
      const call = calls[cursor]!;
      if (!call.response) break; // not answered yet: look again on the next tick
      if (call.method !== 'sendMessage' || !call.response.ok) continue;
      const chat = Number(call.params.chat_id);
      const w = waiting.get(chat);
      if (w && call.at >= w.since) {
        waiting.delete(chat);
        w.resolve(call.at);
      }
    }
  }, 5);
  return {
    /** The time (Date.now()) of the first reply to `chat` from `since` on; null after 15 s. */
    next(chat: number, since: number): Promise<number | null> {
      return new Promise((resolve) => {
        const t = setTimeout(() => (waiting.delete(chat), resolve(null)), 15_000);
        waiting.set(chat, { since, resolve: (at) => (clearTimeout(t), resolve(at)) });
      });
    },
    stop: () => clearInterval(timer),
  };
}

/** People chatting through the webhook until `stop.done`: each reply's latency (ms). */
async function chat(app: BenchApp, api: BotApiServer, people: number, stop: { done: boolean }) {
  const watcher = replyWatcher(api);
  const latencies: number[] = [];
  let unanswered = 0;
  await Promise.all(
    Array.from({ length: people }, async (_, p) => {
      const chatId = FIRST_CHAT.chatter + p;
      for (let i = 0; !stop.done; i++) {
        const since = Date.now();
        const replied = watcher.next(chatId, since);
        const text = CHAT_TEXTS[(p + i) % CHAT_TEXTS.length]!;
        await api.deliverWebhook(textUpdate(chatId, text), { baseUrl: app.url });
        const at = await replied;
        if (at === null) unanswered++;
        else latencies.push(at - since);
        await sleep(500 + Math.random() * 1000);
      }
    }),
  );
  watcher.stop();
  return { latencies: latencies.sort((a, b) => a - b), unanswered };
}

const pct = (sorted: number[], q: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Outreach over the steady part (the middle 80 % of its messages) and the whole bot's rate there. */
function rates(api: BotApiServer) {
  const all = api.sent();
  const outreach = all.filter((m) => m.text.includes(ZH)).map((m) => m.at);
  outreach.sort((a, b) => a - b);
  const lo = outreach[Math.floor(outreach.length * 0.1)] ?? 0;
  const hi = outreach[Math.floor(outreach.length * 0.9)] ?? 0;
  const inWindow = (at: number) => at >= lo && at < hi;
  const span = (hi - lo) / 1000;
  const perChat = new Map<number, number>();
  for (const m of all)
    if (m.text.includes(ZH)) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
  return {
    outreach: outreach.length,
    steady: outreach.filter(inWindow).length / span,
    overall: outreach.length / (((outreach.at(-1) ?? 0) - (outreach[0] ?? 0)) / 1000),
    bot: all.filter((m) => inWindow(m.at)).length / span,
    perChat,
  };
}

async function limitedRun(app: BenchApp, api: BotApiServer, rate: number, chatters: number) {
  api.reset();
  const refusedBefore = api.floodRefusals();
  const workers = await startWorkers(app.deps, app.deps.senders, rate);
  try {
    const started = performance.now();
    const id = await createCampaign(app, `春风行动招聘会 (${rate}/s, ${chatters} chatting)`);
    const stop = { done: false };
    const chatting = chat(app, api, chatters, stop);
    const completeMs = await waitCampaign(app, id, (c) => c.status === 'completed', started);
    stop.done = true;
    const { latencies, unanswered } = await chatting;
    const refused = api.floodRefusals();
    const r = rates(api);
    const retriedSends = await retried(app, id);
    // Each run starts with an empty deliveries collection (FerretDB scans all of it per send).
    await campaignModels(app.deps.mongo).Delivery.deleteMany({});
    return {
      retried: retriedSends,
      rate,
      chatters,
      completeMs,
      outreach: r.outreach,
      steady: r.steady,
      overall: r.overall,
      bot: r.bot,
      refusals: {
        global: refused.global - refusedBefore.global,
        chat: refused.chat - refusedBefore.chat,
      },
      ...deliveryCheck(r.perChat, FIRST_CHAT.limited, LIMITED),
      replies: latencies.length,
      unanswered,
      p50: pct(latencies, 0.5),
      p95: pct(latencies, 0.95),
      p99: pct(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
    };
  } finally {
    await workers.close();
  }
}

async function phaseB(api: BotApiServer) {
  const app = await startApp('limited', api, {
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PUBLIC_URL: 'https://bench.example.org',
  });
  try {
    await app.deps.telegram!.start();
    const seedMs = await seed(app.deps, LIMITED, FIRST_CHAT.limited);
    log(`phase B: seeded ${LIMITED} people in ${seconds(seedMs)} s`);
    const runs = [];
    for (const rate of [30, 25]) {
      const chatters = CHATTERS;
      log(`phase B: ${LIMITED} at ${rate}/s, ${chatters} people chatting…`);
      const run = await limitedRun(app, api, rate, chatters);
      log(`phase B: ${rowB(run)}`); // a long run's numbers before the next starts
      runs.push(run);
    }
    return runs;
  } finally {
    await app.close();
  }
}

// ------------------------------------------------------------------ report

function log(line: string) {
  process.stderr.write(`[bench:broadcast] ${line}\n`);
}

const cpuLine = (cpu: Record<string, number>, unit: string) =>
  Object.entries(cpu)
    .filter(([k]) => k !== 'load generator + Bot API server') // the same process as `lamton`
    .map(([k, v]) => `${k} ${(v * 1000).toFixed(0)} µs`)
    .join(', ') + ` per ${unit}`;

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const ms = (v: number) => (Number.isNaN(v) ? '–' : `${v.toFixed(0)} ms`);

function reportA(a: Awaited<ReturnType<typeof phaseA>>) {
  const left = a.recipients - a.sends;
  const done =
    a.completeMs === null
      ? `not completed within ${SEND_SECONDS} s (${left} left: about ${(left / a.perSecond / 3600).toFixed(1)} h more at this rate)`
      : `completed ${seconds(a.completeMs)} s after the queue resumed`;
  const lines = [
    `Phase A — ${RECIPIENTS} recipients, stub channel (accepts at once), one worker process`,
    `  seeding (insertMany, ${SEED_BATCH} a batch, not part of the fan-out): ${seconds(a.seedMs)} s`,
    `  fan-out (send queue paused): ${seconds(a.fanoutMs)} s for ${a.recipients} delivery records + send jobs (target < 10 s: ${met(a.fanoutMs < 10_000)})`,
    `    CPU: ${cpuLine(a.fanoutCpu, 'recipient')}`,
    `  sends: ${a.sends} in ${a.sendSeconds.toFixed(1)} s (first → last) = ${a.perSecond.toFixed(1)} sends/s; ${done}`,
    `    CPU: ${cpuLine(a.cpu, 'send')}`,
    `  duplicates ${a.duplicates}, losses ${a.losses ?? '– (not completed)'}, sends to chats outside the audience ${a.strays}, records claimed more than once ${a.retried}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function reportB(b: Awaited<ReturnType<typeof phaseB>>) {
  const lines = [
    `Phase B/C — ${LIMITED} recipients through the real Telegram sender; Bot API enforcing 30/s, 1/s per chat; ${CHATTERS} people chatting`,
    '  | outreach rate | outreach/s steady (overall) | share of 30/s | bot msgs/s | 429s (global/chat) | dup | lost | retried | completed | replies | p50 / p95 / p99 / max |',
    ...b.map((r) => `  ${rowB(r)}`),
    `  targets: share ≥ 95 % at 30/s: ${met((b[0]?.steady ?? 0) / 30 >= 0.95)}; duplicates and losses 0: ${met(b.every((r) => r.duplicates + r.losses === 0))}; reply p95 < 2 s: ${met(b.every((r) => r.p95 < 2000))}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function rowB(r: Awaited<ReturnType<typeof limitedRun>>) {
  return `| ${r.rate}/s | ${r.steady.toFixed(1)} (${r.overall.toFixed(1)}) | ${((r.steady / 30) * 100).toFixed(1)} % | ${r.bot.toFixed(1)} | ${r.refusals.global}/${r.refusals.chat} | ${r.duplicates} | ${r.losses} | ${r.retried} | ${seconds(r.completeMs)} s | ${r.replies}${r.unanswered ? ` (+${r.unanswered} unanswered)` : ''} | ${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)} / ${ms(r.max)} |`;
}

async function main() {
  const api = await startBotApiServer({ limits: { perSecond: 30, perChatMs: 1000 } });
  try {
    if (RECIPIENTS > 0) reportA(await phaseA(api));
    if (LIMITED > 0) reportB(await phaseB(api));
  } finally {
    await api.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
