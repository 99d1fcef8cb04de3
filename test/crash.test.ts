import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri } from './support/app.js';
import { freePort, startAppProcess } from './support/servers.js';
import { commandUpdate, startBotApiServer, type BotApiServer } from './support/bot-api/index.js';

/**
 * Issue 8, B3 and part C: the real process (tsx src/main.ts, webhook mode against the fake Bot
 * API on loopback) is SIGKILLed mid-turn; Telegram's retry, which reaches a restarted process,
 * is answered within seconds, and exactly once.
 */
describe('a process killed mid-turn', () => {
  const secret = 'crash_test-secret';
  const db = `test_crash_${Date.now()}`;
  let api: BotApiServer;
  let port = 0;
  let child: ChildProcess | undefined;
  let redis: Redis;

  const startProcess = () =>
    startAppProcess(port, {
      MONGODB_URI: testMongoUri(db),
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: secret,
      PUBLIC_URL: 'https://lamton.example.org',
    });

  beforeAll(async () => {
    api = await startBotApiServer();
    port = await freePort();
    redis = new Redis(process.env.REDIS_URL ?? '');
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await redis.quit();
    await api.close();
  });

  it('answers Telegram’s retry after the restart, within seconds and once', async () => {
    child = await startProcess();
    // The process uses the default key prefix: ids of its own, so no earlier run's "answered"
    // record (kept 24 h) or conversation matches.
    const chat = 7_000_000 + randomInt(1_000_000);
    const update = { ...commandUpdate(chat, 'start'), update_id: randomInt(2 ** 40, 2 ** 47) };
    // Hold the conversation so the turn is in flight (its update claimed) when the kill comes.
    const lock = `lamton:lock:telegram:${chat}`;
    await redis.set(lock, 'held-by-test', 'PX', 30_000);
    const first = api
      .deliverWebhook(update, { baseUrl: `http://127.0.0.1:${port}` })
      .then((r) => r.status)
      .catch(() => 0); // the connection dies with the process: Telegram will retry
    await new Promise((r) => setTimeout(r, 700));
    const killed = child;
    await new Promise<void>((resolve) => {
      killed.once('exit', () => resolve());
      killed.kill('SIGKILL');
    });
    expect(await first).not.toBe(200);
    await redis.del(lock);

    child = await startProcess();
    const retriedAt = Date.now();
    const retry = await api.deliverWebhook(update, { baseUrl: `http://127.0.0.1:${port}` });
    expect(retry.status).toBe(200);
    await api.waitForSent((m) => m.chatId === chat, 60_000);
    // The dead process's claim lapses within its 10-second lease (the rest is this machine's
    // load: the whole suite runs beside this test on two cores); before leases it was never.
    expect(Date.now() - retriedAt).toBeLessThan(45_000);
    await api.deliverWebhook(update, { baseUrl: `http://127.0.0.1:${port}` });
    await new Promise((r) => setTimeout(r, 500));
    expect(api.sent(chat)).toHaveLength(1);
  }, 180_000);
});
