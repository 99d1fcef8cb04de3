import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageRepo } from '../src/messages/message.repo.js';
import { createQuestionRepo } from '../src/questions/question.repo.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  commandUpdate,
  startBotApiServer,
  textUpdate,
  type BotApiServer,
} from './support/bot-api/index.js';
import { FERRET_BIN, freePort, kill, startFerret } from './support/servers.js';

/** Issue 8, B10: the database stopped and restarted while people write (a real fault). */
describe.skipIf(!existsSync(FERRET_BIN))('the database down, then back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamton-dbdown-'));
  let port = 0;
  let ferret: ChildProcess;
  let conn: mongoose.Connection;

  beforeAll(async () => {
    port = await freePort();
    ferret = await startFerret(port, dir);
    conn = await mongoose
      .createConnection(`mongodb://127.0.0.1:${port}/lamton`, { serverSelectionTimeoutMS: 2_000 })
      .asPromise();
  }, 60_000);
  afterAll(async () => {
    await conn?.close().catch(() => undefined);
    ferret?.kill('SIGKILL');
  });

  it('keeps the conversation log and questions written meanwhile and stores them when it is back', async () => {
    const messages = createMessageRepo(conn);
    const questions = createQuestionRepo(conn);
    const person = new Types.ObjectId().toHexString();
    const at = new Date();
    await messages.append(person, 'web', [{ from: 'person', text: 'before', at }]);
    await messages.flush();

    await new Promise<void>((resolve) => {
      ferret.once('exit', () => resolve());
      ferret.kill('SIGKILL');
    });
    // Written while the database is away: the writes wait (they used to be dropped).
    const during = messages.append(person, 'web', [
      { from: 'person', text: 'during the outage', at: new Date(at.getTime() + 1) },
      { from: 'assistant', text: 'reply during the outage', at: new Date(at.getTime() + 2) },
    ]);
    const asked = questions.record({
      personId: person,
      channel: 'web',
      lang: 'zh-CN',
      text: '停电的时候问的问题',
      outcome: 'declined',
      confidence: 0.9,
      at,
    });
    await new Promise((r) => setTimeout(r, 3_000));

    ferret = await startFerret(port, dir);
    await during;
    await asked.stored;
    const log = await messages.transcript(person);
    expect(log.map((l) => l.text)).toEqual([
      'before',
      'during the outage',
      'reply during the outage',
    ]);
    const list = await questions.listUnanswered({ limit: 10 });
    expect(list.items.map((q) => q.text)).toContain('停电的时候问的问题');
  }, 90_000);
});

/**
 * Issue 8, B9 and part C: the database stopped and restarted under the whole running assistant
 * (web chat and the Telegram webhook): no 500 meanwhile, nothing lost, each message answered once.
 */
describe.skipIf(!existsSync(FERRET_BIN))('the database down under the running assistant', () => {
  const secret = 'dbdown_secret';
  const env = appOnOwnDatabase('lamton-appdbdown-', {
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: secret,
    PUBLIC_URL: 'https://lamton.example.org',
  });

  /** The session id inside the signed `lamton_sid` cookie ("name=sid.signature"). */
  const cookieSession = (cookie: string) =>
    decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)).replace(/\.[^.]*$/, '');

  const chat = (clientId: string, text: string, cookie?: string) =>
    env.t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      payload: { clientId, text },
      ...(cookie ? { headers: { cookie } } : {}),
    });

  it('never answers 500 meanwhile: a turn is answered or refused with 503 + Retry-After, and each is answered once when it is back', async () => {
    const first = await chat('db-1', '你好');
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    await env.api.deliverWebhook(commandUpdate(4001, 'start'), { baseUrl: env.t.url });
    await env.api.waitForSent((m) => m.chatId === 4001);

    await env.stopDatabase();
    // Right away (before the driver has noticed) and later: a known person, a newcomer on the
    // page, a known and a new Telegram chat.
    const known = textUpdate(4001, '失业金怎么领');
    const newcomer = commandUpdate(4002, 'start');
    const refused = new Set<string>();
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      for (const res of [
        await chat(`db-during-${i}`, '失业金怎么领', cookie),
        await chat(`db-new-${i}`, '失业金怎么领'),
      ]) {
        seen.add(res.statusCode);
        expect([200, 503], res.body).toContain(res.statusCode);
        if (res.statusCode === 503) expect(res.headers['retry-after']).toBeDefined();
      }
      for (const update of [known, newcomer]) {
        const res = await env.api.deliverWebhook(update, { baseUrl: env.t.url });
        seen.add(res.status);
        expect([200, 503]).toContain(res.status);
        if (res.status === 503) refused.add(String(update.update_id));
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const ready = await env.t.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { mongodb: 'down' } });
    expect(seen.has(503)).toBe(true); // once noticed, routes that need the database say "later"

    await env.startDatabase();
    await expect
      .poll(async () => (await env.t.app.inject('/readyz')).statusCode, { timeout: 30_000 })
      .toBe(200);
    const retried = await chat('db-during-5', '失业金怎么领', cookie);
    expect(retried.statusCode).toBe(200);
    // Telegram retries what it got no 2xx for; what it got a 200 for was answered already.
    for (const update of [known, newcomer]) {
      const res = await env.api.deliverWebhook(update, { baseUrl: env.t.url });
      expect(res.status).toBe(200);
    }
    await expect.poll(() => env.api.sent(4001).length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => env.api.sent(4002).length, { timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(env.api.sent(4001)).toHaveLength(2);
    expect(env.api.sent(4002)).toHaveLength(1);
    // What the known person said meanwhile reached the conversation log.
    const session = await env.t.deps.sessions.get(`web:${cookieSession(cookie)}`);
    expect(session).toBeTruthy();
    await env.t.deps.messages.flush();
    const said = (await env.t.deps.messages.transcript(session!.personId)).filter(
      (l) => l.from === 'person',
    );
    expect(said.length).toBeGreaterThanOrEqual(2);
  }, 150_000);
});

describe.skipIf(!existsSync(FERRET_BIN))('the database down under Telegram polling', () => {
  const env = appOnOwnDatabase('lamton-polldbdown-', { TELEGRAM_MODE: 'polling' });

  // A newcomer's /start needs the database (a new person). Five quick tries used to spend
  // themselves in about 8 s of outage, and the update was dropped for good.
  it('keeps a polled update through an outage longer than its tries, and answers it once after', async () => {
    env.api.pushUpdate(commandUpdate(4101, 'start'));
    await env.api.waitForSent((m) => m.chatId === 4101, 20_000);
    await env.stopDatabase();
    env.api.pushUpdate(commandUpdate(4102, 'start'));
    await new Promise((r) => setTimeout(r, 20_000));
    expect(env.api.sent(4102)).toHaveLength(0);
    await env.startDatabase();
    await env.api.waitForSent((m) => m.chatId === 4102, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(env.api.sent(4102)).toHaveLength(1);
  }, 150_000);
});

/**
 * An app (web role, Telegram on a loopback Bot API server) over a FerretDB of the test's own,
 * which the test may stop and start.
 */
function appOnOwnDatabase(name: string, telegram: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), name));
  let port = 0;
  let ferret: ChildProcess | undefined;
  const env = {
    api: undefined as unknown as BotApiServer,
    t: undefined as unknown as TestApp,
    async stopDatabase() {
      if (ferret) await kill(ferret);
    },
    async startDatabase() {
      ferret = await startFerret(port, dir);
    },
  };
  beforeAll(async () => {
    port = await freePort();
    await env.startDatabase();
    env.api = await startBotApiServer();
    env.t = await startTestApp(
      { TELEGRAM_BOT_TOKEN: env.api.token, TELEGRAM_API_ROOT: env.api.apiRoot, ...telegram },
      { mongoUri: `mongodb://127.0.0.1:${port}/lamton` },
    );
    await env.t.deps.telegram!.start();
  }, 60_000);
  afterAll(async () => {
    // A failed test may leave the database down: closing would wait for it (flushing the log).
    await Promise.race([env.t?.close(), new Promise((r) => setTimeout(r, 10_000))]).catch(
      () => undefined,
    );
    await env.api?.close();
    await env.stopDatabase();
  });
  return env;
}
