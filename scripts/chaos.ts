/**
 * npm run chaos — fault scenarios against a running assistant, counting what was lost or
 * answered twice (target: 0 and 0). Everything on 127.0.0.1: the fake Bot API server of the
 * tests acts as Telegram (it redelivers an update until it gets a 200, as Telegram does), a
 * Redis and a FerretDB of the script's own (the binary `npm test` builds), and the assistant
 * itself (`src/main.ts`, webhook mode) as a real process. Scenarios, one after another, while
 * people keep writing:
 *   1. steady traffic;  2. the assistant SIGKILLed mid-traffic and restarted;
 *   3. Redis stopped for a few seconds and restarted;  4. the database stopped likewise.
 * Prints one line per scenario and a total; exits non-zero if anything was lost or doubled.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Update } from 'telegraf/types';
import { commandUpdate, startBotApiServer } from '../test/support/bot-api/index.js';
import {
  freePort,
  kill,
  startAppProcess,
  startFerret,
  startRedis,
} from '../test/support/servers.js';

const PEOPLE_PER_SCENARIO = Number(process.env.CHAOS_PEOPLE ?? 40);
const SECRET = 'chaos_secret';
const RETRY_FOR_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const api = await startBotApiServer();
const appPort = await freePort();
const redisPort = await freePort();
const redisDir = mkdtempSync(join(tmpdir(), 'lamton-chaos-'));
const ferretPort = await freePort();
const ferretDir = mkdtempSync(join(tmpdir(), 'lamton-chaos-db-'));
let redis = await startRedis(redisPort, redisDir);
let ferret = await startFerret(ferretPort, ferretDir);
let app = await startApp();
let nextChat = 9_000_000;

function startApp(): Promise<ChildProcess> {
  return startAppProcess(
    appPort,
    {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      MONGODB_URI: `mongodb://127.0.0.1:${String(ferretPort)}/chaos`,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: 'https://lamton.example.org',
    },
    { role: 'all' },
  );
}

/** Like Telegram: delivers until a 200 (any other status or a broken connection is retried). */
async function deliver(update: Update): Promise<boolean> {
  const until = Date.now() + RETRY_FOR_MS;
  for (let wait = 200; Date.now() < until; wait = Math.min(wait * 2, 3_000)) {
    const status = await api
      .deliverWebhook(update, { baseUrl: `http://127.0.0.1:${appPort}` })
      .then(
        (r) => r.status,
        () => 0,
      );
    if (status === 200) return true;
    await sleep(wait);
  }
  return false;
}

async function scenario(name: string, fault?: () => Promise<void>): Promise<[number, number]> {
  const chats = Array.from({ length: PEOPLE_PER_SCENARIO }, () => nextChat++);
  const deliveries = chats.map(async (chat, i) => {
    await sleep(i * 50); // people arrive over a couple of seconds
    return deliver(commandUpdate(chat, 'start'));
  });
  if (fault) {
    await sleep((PEOPLE_PER_SCENARIO * 50) / 3);
    await fault();
  }
  await Promise.all(deliveries);
  // Replies still on their way (a turn claimed by a killed process waits out its lease).
  const settle = Date.now() + 20_000;
  while (Date.now() < settle && chats.some((c) => api.sent(c).length === 0)) await sleep(200);
  await sleep(1_000);
  const lost = chats.filter((c) => api.sent(c).length === 0).length;
  const doubled = chats.filter((c) => api.sent(c).length > 1).length;
  console.log(`${name.padEnd(34)} people ${chats.length}   lost ${lost}   duplicated ${doubled}`);
  return [lost, doubled];
}

let totals = [0, 0];
try {
  const results = [
    await scenario('steady'),
    await scenario('assistant SIGKILLed and restarted', async () => {
      await kill(app);
      app = await startApp();
    }),
    await scenario('Redis stopped 3 s and restarted', async () => {
      await kill(redis);
      await sleep(3_000);
      redis = await startRedis(redisPort, redisDir);
    }),
    await scenario('database stopped 5 s and restarted', async () => {
      await kill(ferret);
      await sleep(5_000);
      ferret = await startFerret(ferretPort, ferretDir);
    }),
  ];
  totals = results.reduce((a, r) => [a[0] + r[0], a[1] + r[1]], [0, 0]);
  console.log(`total: lost ${totals[0]}, duplicated ${totals[1]} (target 0 and 0)`);
} finally {
  app.kill('SIGKILL');
  redis.kill('SIGKILL');
  ferret.kill('SIGKILL');
  await api.close();
}
process.exit(totals[0] === 0 && totals[1] === 0 ? 0 : 1);
