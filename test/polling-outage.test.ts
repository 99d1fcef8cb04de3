import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { commandUpdate, startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { freePort, kill, startRedis } from './support/servers.js';

/**
 * Issue 8, B2 and part C: Redis stopped under Telegram polling (it used to end the process with
 * an unhandled rejection about 10 s in, and drop the update being handled). Messages sent during
 * the outage are answered, once each, when Redis is back; the poller goes on.
 */
describe('Telegram polling through a Redis outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamton-poll-outage-'));
  let port = 0;
  let redis: ChildProcess;
  let api: BotApiServer;
  let t: TestApp;
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    port = await freePort();
    redis = await startRedis(port, dir, true);
    api = await startBotApiServer();
    t = await startTestApp({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
    });
    await t.deps.telegram!.start();
  }, 60_000);
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await t?.close().catch(() => undefined);
    await api?.close();
    await kill(redis);
  });

  it('answers what was sent during the outage once Redis is back, once each', async () => {
    const before = 8001;
    api.pushUpdate(commandUpdate(before, 'start'));
    await api.waitForSent((m) => m.chatId === before, 10_000);

    await kill(redis);
    const during = [8002, 8003];
    for (const chat of during) api.pushUpdate(commandUpdate(chat, 'start'));
    // Longer than the poller lease renewal interval: renewals fail meanwhile.
    await new Promise((r) => setTimeout(r, 12_000));
    redis = await startRedis(port, dir, true);

    for (const chat of during) await api.waitForSent((m) => m.chatId === chat, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const chat of [before, ...during]) expect(api.sent(chat), String(chat)).toHaveLength(1);
    expect(rejections).toEqual([]);
    // The poller is still there: a new message is answered too.
    api.pushUpdate(commandUpdate(8004, 'start'));
    await api.waitForSent((m) => m.chatId === 8004, 40_000);
  }, 150_000);
});
