/**
 * Pushing to a web chat: the worker's sender keeps the message in the chat's inbox and publishes
 * it; an open page gets it at once over server-sent events (`GET /api/chat/events`), a page
 * opened later finds it in `GET /api/chat/transcript`. Real app, real Redis/FerretDB, Chromium.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webUiStringsFromLocales } from '../src/channels/web/ui-strings.js';
import { webChatRoutes } from '../src/channels/web/web.routes.js';
import type { Sender } from '../src/messaging/send.js';
import { startTestApp, type TestApp } from './support/app.js';
import { launchBrowser } from './support/browser.js';
import { openSse, type SseEvent } from './support/sse.js';

const SOON = { timeout: 10_000 };
const NOTICE = '拉萨市就业服务中心 · 回复“退订”不再接收';

let app: TestApp;
let web: Sender;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  web = app.deps.senders.get('web')!;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A session, made as the page makes it: the first real message (a language button). */
async function session(): Promise<{ cookie: string; sid: string }> {
  const res = await fetch(`${app.url}/api/chat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: randomUUID(), choice: 'language:choose#zh' }),
  });
  expect(res.status).toBe(200);
  const set = res.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie: set, sid: decodeURIComponent(set.split('=')[1]!).split('.')[0]! };
}

interface Turn {
  id?: string;
  at: number;
  pushed?: boolean;
  in?: { text: string };
  replies: { text: string; lang: string; notice?: string }[];
}

async function transcript(cookieHeader?: string) {
  const res = await fetch(`${app.url}/api/chat/transcript`, {
    headers: cookieHeader ? { cookie: cookieHeader } : {},
  });
  return (await res.json()) as { turns: Turn[]; now: number; session: boolean };
}

const isPush = (e: SseEvent) => e.event === 'push';
const pushed = (e: SseEvent) => JSON.parse(e.data ?? 'null') as Turn;

describe('GET /api/chat/events', () => {
  it('answers 204 without a session cookie (EventSource stops), and the transcript says so', async () => {
    const res = await fetch(`${app.url}/api/chat/events`);
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
    // A forged cookie is no session either.
    const forged = await fetch(`${app.url}/api/chat/events`, {
      headers: { cookie: `lamton_sid=${randomUUID()}.forged` },
    });
    expect(forged.status).toBe(204);
    const empty = await transcript();
    expect(empty).toMatchObject({ turns: [], session: false });
    expect(empty.now).toBeGreaterThan(Date.now() - 60_000);
  });

  it('streams a push to an open page at once; the transcript shows it after, among the turns', async () => {
    const me = await session();
    const stream = await openSse(`${app.url}/api/chat/events`, { cookie: me.cookie });
    expect(stream.status).toBe(200);
    expect(stream.header('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.header('cache-control')).toBe('no-store');
    await stream.take((e) => e.comment === 'connected');

    const sent = await web.send(me.sid, [
      { text: '本周五上午十点，城关区人力资源市场有招聘会。', lang: 'zh-CN', notice: NOTICE },
    ]);
    const event = await stream.take(isPush);
    expect(event.id).toBe(sent.messageIds[0]);
    expect(pushed(event)).toMatchObject({
      id: sent.messageIds[0],
      pushed: true,
      replies: [
        { text: '本周五上午十点，城关区人力资源市场有招聘会。', lang: 'zh-CN', notice: NOTICE },
      ],
      lang: 'zh-CN',
    });
    // Someone else's push does not reach this stream.
    const other = await session();
    await web.send(other.sid, [{ text: '别人的消息', lang: 'zh-CN' }]);
    const mine = await web.send(me.sid, [{ text: '第二条', lang: 'zh-CN' }]);
    expect((await stream.take(isPush)).id).toBe(mine.messageIds[0]);
    expect(stream.received.filter(isPush).map((e) => pushed(e).replies[0]?.text)).toEqual([
      '本周五上午十点，城关区人力资源市场有招聘会。',
      '第二条',
    ]);
    stream.close();

    const after = await transcript(me.cookie);
    expect(after.session).toBe(true);
    const ids = after.turns.filter((t) => t.pushed).map((t) => t.id);
    expect(ids).toEqual([sent.messageIds[0], mine.messageIds[0]]);
    // By time: the conversation's turn first, then the pushes.
    expect(after.turns[0]?.pushed).toBeUndefined();
    expect(after.turns.map((t) => t.at)).toEqual([...after.turns.map((t) => t.at)].sort());
    expect(after.turns.at(-2)?.replies[0]?.notice).toBe(NOTICE);
  });

  it('sends what a reconnecting page missed, once: after Last-Event-ID, else after `since`', async () => {
    const me = await session();
    const first = (await web.send(me.sid, [{ text: '一', lang: 'zh-CN' }])).messageIds[0]!;
    const since = Date.now() + 10_000; // after the first, even with the clocks' margin
    await new Promise((r) => setTimeout(r, 20));
    const second = (await web.send(me.sid, [{ text: '二', lang: 'zh-CN' }])).messageIds[0]!;
    const third = (await web.send(me.sid, [{ text: '三', lang: 'zh-CN' }])).messageIds[0]!;

    const resumed = await openSse(`${app.url}/api/chat/events`, {
      cookie: me.cookie,
      'last-event-id': first,
    });
    await resumed.take(isPush);
    await resumed.take(isPush);
    expect(resumed.received.filter(isPush).map((e) => e.id)).toEqual([second, third]);
    resumed.close();

    const fresh = await openSse(`${app.url}/api/chat/events?since=${since - 10_000 - 5_000}`, {
      cookie: me.cookie,
    });
    await fresh.take((e) => e.comment === 'connected');
    await fresh.take(isPush);
    await fresh.take(isPush);
    await fresh.take(isPush);
    expect(fresh.received.filter(isPush).map((e) => e.id)).toEqual([first, second, third]);
    fresh.close();

    // No cursor: only what comes from now on.
    const live = await openSse(`${app.url}/api/chat/events`, { cookie: me.cookie });
    await live.take((e) => e.comment === 'connected');
    const fourth = (await web.send(me.sid, [{ text: '四', lang: 'zh-CN' }])).messageIds[0]!;
    await live.take(isPush);
    expect(live.received.filter(isPush).map((e) => e.id)).toEqual([fourth]);
    live.close();

    const bad = await fetch(`${app.url}/api/chat/events?since=yesterday`, {
      headers: { cookie: me.cookie },
    });
    expect(bad.status).toBe(400);
  });

  it('allows three streams per session; a fourth is 429 until one closes', async () => {
    const me = await session();
    const streams = await Promise.all(
      [1, 2, 3].map(() => openSse(`${app.url}/api/chat/events`, { cookie: me.cookie })),
    );
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await fetch(`${app.url}/api/chat/events`, { headers: { cookie: me.cookie } });
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).toBe('60');
    expect(await fourth.json()).toMatchObject({ error: 'too_many_streams' });
    // Another person is not limited by it.
    const other = await openSse(`${app.url}/api/chat/events`, {
      cookie: (await session()).cookie,
    });
    expect(other.status).toBe(200);
    other.close();
    // Every open tab gets the push.
    const sent = await web.send(me.sid, [{ text: '三个标签页', lang: 'zh-CN' }]);
    for (const s of streams) expect((await s.take(isPush)).id).toBe(sent.messageIds[0]);

    streams[0]!.close();
    await expect
      .poll(async () => {
        const again = await openSse(`${app.url}/api/chat/events`, { cookie: me.cookie });
        again.close();
        return again.status;
      }, SOON)
      .toBe(200);
    for (const s of streams) s.close();
  });
});

describe('the event streams of one process', () => {
  it('send heartbeats, refuse past the total, and end on close so shutdown does not hang', async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6381');
    const prefix = `test:push:${randomUUID()}:`;
    const server = Fastify({ logger: false });
    await server.register(cookie, { secret: 'push-test-secret' });
    await server.register(
      webChatRoutes({
        handleInbound: () => Promise.resolve([]),
        redis,
        prefix,
        uiStrings: webUiStringsFromLocales(),
        events: { heartbeatMs: 100, total: 2 },
      }),
    );
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as { port: number };
    const url = `http://127.0.0.1:${port}/api/chat/events`;
    const cookieOf = () => `lamton_sid=${encodeURIComponent(server.signCookie(randomUUID()))}`;

    const a = await openSse(url, { cookie: cookieOf() });
    const b = await openSse(url, { cookie: cookieOf() });
    expect([a.status, b.status]).toEqual([200, 200]);
    // A heartbeat is a comment line alone.
    await a.take((e) => e.comment === '' && !e.event, 2000);
    const c = await fetch(url, { headers: { cookie: cookieOf() } });
    expect(c.status).toBe(503);
    expect(await c.json()).toMatchObject({ error: 'unavailable' });

    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await Promise.all([a.ended, b.ended]);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
});

describe('the page', () => {
  it('shows a push at once without a reload, and once after a reload, with its notice', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await expect.poll(() => page.locator('.msg.bot').count(), SOON).toBe(2);
    const sidCookie = (await context.cookies()).find((c) => c.name === 'lamton_sid')!;
    const sid = decodeURIComponent(sidCookie.value).split('.')[0]!;

    const text = '本周五上午十点，城关区人力资源市场有专场招聘会，欢迎参加。';
    const sent = await web.send(sid, [{ text, lang: 'zh-CN', notice: NOTICE }]);
    const bubble = page.locator('.msg.bot.pushed');
    await expect.poll(() => bubble.count(), SOON).toBe(1);
    expect(await bubble.getAttribute('data-push-id')).toBe(sent.messageIds[0]);
    expect(await bubble.locator('.text').textContent()).toBe(text);
    expect(await bubble.getAttribute('lang')).toBe('zh-CN');
    expect(await bubble.locator('.notice').textContent()).toBe(NOTICE);
    // The notice is smaller than the text, under it.
    const sizes = await bubble.evaluate((el) => {
      const size = (q: string) => parseFloat(getComputedStyle(el.querySelector(q)!).fontSize);
      return { text: size('.text'), notice: size('.notice') };
    });
    expect(sizes.notice).toBeLessThan(sizes.text);
    // The conversation's buttons are still there to press.
    expect(await page.locator('.msg.bot .choice:enabled').count()).toBeGreaterThan(0);

    await page.reload();
    await expect.poll(() => page.locator('.msg.bot').count(), SOON).toBe(3);
    // After the reload, a second push proves the stream is open again (and anything it
    // replayed first has arrived): the first push is still shown once.
    const next = await web.send(sid, [{ text: '第二条通知', lang: 'zh-CN', notice: NOTICE }]);
    await expect
      .poll(() => page.locator(`[data-push-id="${next.messageIds[0]}"]`).count(), SOON)
      .toBe(1);
    expect(await page.locator(`[data-push-id="${sent.messageIds[0]}"]`).count()).toBe(1);
    expect(await page.locator('.msg.bot.pushed .notice').allTextContents()).toEqual([
      NOTICE,
      NOTICE,
    ]);
    // In time order: the greeting and the answer, then the pushes.
    const order = await page
      .locator('.msg.bot')
      .evaluateAll((els) => els.map((el) => el.classList.contains('pushed')));
    expect(order).toEqual([false, false, true, true]);
    expect(cspErrors).toEqual([]);
    await context.close();
  });
});
