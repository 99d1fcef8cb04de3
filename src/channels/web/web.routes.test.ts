import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutgoingMessage } from '../../messaging/content.js';
import type { InboundEvent, InboundHandler } from '../../messaging/inbound.js';
import { webUiStringsFromLocales } from './ui-strings.js';
import { webChatRoutes, type WebChatDeps } from './web.routes.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const uiStrings = webUiStringsFromLocales();
const TIBETAN_4096 = 'ཀ'.repeat(4096);

let redis: Redis;
const apps: FastifyInstance[] = [];

beforeAll(() => {
  // Every key this file writes lives under its own random prefix.
  redis = new Redis(REDIS_URL, { keyPrefix: `test:web:${randomUUID()}:`, maxRetriesPerRequest: 2 });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  const keys = await redis.keys('*');
  const prefix = redis.options.keyPrefix ?? '';
  if (keys.length) await redis.del(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
});

const echo: InboundHandler = (event) =>
  Promise.resolve([
    {
      text: event.input.kind === 'text' ? `echo: ${event.input.text}` : event.input.kind,
      lang: 'zh-CN',
    },
  ]);

async function buildApp(overrides: Partial<WebChatDeps> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(cookie, { secret: 'test' });
  await app.register(webChatRoutes({ handleInbound: echo, redis, uiStrings, ...overrides }));
  apps.push(app);
  return app;
}

function post(app: FastifyInstance, body: unknown, sidCookie?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/chat/messages',
    headers: { 'content-type': 'application/json', ...(sidCookie ? { cookie: sidCookie } : {}) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function sidCookieOf(res: { cookies: { name: string; value: string }[] }): string {
  const sid = res.cookies.find((c) => c.name === 'lamton_sid');
  if (!sid) throw new Error('no lamton_sid cookie');
  return `lamton_sid=${sid.value}`;
}

describe('web chat routes', () => {
  it('creates a signed httpOnly session cookie and reuses it as the chatId', async () => {
    const seen: InboundEvent[] = [];
    const app = await buildApp({ handleInbound: async (e) => (seen.push(e), echo(e)) });
    const first = await post(app, { clientId: 'a1', command: 'start' });
    expect(first.statusCode).toBe(200);
    const set = first.cookies.find((c) => c.name === 'lamton_sid');
    expect(set).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(set?.maxAge).toBeGreaterThan(300 * 24 * 3600);

    const second = await post(app, { clientId: 'a2', text: 'hi' }, sidCookieOf(first));
    expect(second.cookies.find((c) => c.name === 'lamton_sid')).toBeUndefined();
    expect(seen[0]?.chatId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]?.chatId).toBe(seen[0]?.chatId);
    expect(seen[0]).toMatchObject({
      channel: 'web',
      messageId: 'a1',
      input: { kind: 'command', name: 'start', args: '' },
    });
    expect(seen[1]?.input).toEqual({ kind: 'text', text: 'hi' });
  });

  it('replaces a tampered cookie with a new session', async () => {
    const seen: InboundEvent[] = [];
    const app = await buildApp({ handleInbound: async (e) => (seen.push(e), echo(e)) });
    const res = await post(
      app,
      { clientId: 'x', choice: 'menu' },
      `lamton_sid=${randomUUID()}.forged`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.cookies.find((c) => c.name === 'lamton_sid')).toBeDefined();
    expect(seen[0]?.input).toEqual({ kind: 'choice', id: 'menu' });
  });

  it('passes the first Accept-Language tag as languageHint', async () => {
    const seen: InboundEvent[] = [];
    const app = await buildApp({ handleInbound: async (e) => (seen.push(e), echo(e)) });
    await app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      headers: { 'content-type': 'application/json', 'accept-language': 'bo-CN,bo;q=0.9,zh;q=0.8' },
      payload: { clientId: 'l1', command: 'start' },
    });
    expect(seen[0]?.languageHint).toBe('bo-CN');
  });

  it('answers a repeated clientId from the store without running the turn again', async () => {
    const handler = vi.fn(echo);
    const app = await buildApp({ handleInbound: handler });
    const first = await post(app, { clientId: 'same', text: 'hello' });
    const sid = sidCookieOf(first);
    const again = await post(app, { clientId: 'same', text: 'hello' }, sid);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(first.json()).toEqual({ replies: [{ text: 'echo: hello', lang: 'zh-CN' }] });
    // The same clientId with another message is a conflict, not the first one's answer (the
    // second message was silently lost).
    const other = await post(app, { clientId: 'same', text: '转人工' }, sid);
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: 'conflict' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('runs concurrent duplicates once and gives both the same answer', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handler = vi.fn(async (e: InboundEvent): Promise<OutgoingMessage[]> => {
      if (e.messageId === 'dup') await gate;
      return echo(e);
    });
    const app = await buildApp({ handleInbound: handler });
    const sid = sidCookieOf(await post(app, { clientId: 'warm', command: 'start' }));
    const both = Promise.all([
      post(app, { clientId: 'dup', text: 'once' }, sid),
      post(app, { clientId: 'dup', text: 'once' }, sid),
    ]);
    setTimeout(release, 200);
    const [a, b] = await both;
    expect(handler).toHaveBeenCalledTimes(2); // warm-up + one
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(a.body).toBe(b.body);
  });

  it('lets a retry run when the first attempt failed', async () => {
    const handler = vi
      .fn<InboundHandler>()
      .mockImplementationOnce(echo)
      .mockRejectedValueOnce(new Error('engine down'))
      .mockImplementation(echo);
    const app = await buildApp({ handleInbound: handler });
    const sid = sidCookieOf(await post(app, { clientId: 'w', choice: 'x' }));
    const failed = await post(app, { clientId: 'r1', text: 'again' }, sid);
    expect(failed.statusCode).toBe(500);
    const retried = await post(app, { clientId: 'r1', text: 'again' }, sid);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual({ replies: [{ text: 'echo: again', lang: 'zh-CN' }] });
  });

  it.each([
    [{ clientId: 'ok', text: 'a', choice: 'b' }, ''],
    [{ clientId: 'ok' }, ''],
    [{ clientId: 'bad id!', text: 'a' }, 'clientId'],
    [{ clientId: 'x'.repeat(65), text: 'a' }, 'clientId'],
    [{ clientId: 'ok', text: 'a'.repeat(4097) }, 'text'],
    [{ clientId: 'ok', text: ' \u0000\u200b ' }, 'text'],
    [{ clientId: 'ok', command: 'stop' }, 'command'],
    [{ clientId: 'ok', choice: 'c'.repeat(65) }, 'choice'],
    [[1, 2], ''],
  ])('rejects %j with 400 validation details', async (body, path) => {
    const handler = vi.fn(echo);
    const app = await buildApp({ handleInbound: handler });
    const res = await post(app, body);
    expect(res.statusCode).toBe(400);
    const json = res.json<{ error: string; details: { path: string; message: string }[] }>();
    expect(json.error).toBe('validation');
    expect(json.details.length).toBeGreaterThan(0);
    expect(json.details.map((d) => d.path)).toContain(path);
    expect(typeof json.details[0]?.message).toBe('string');
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers bad transport input with 4xx JSON, never 5xx', async () => {
    const app = await buildApp();
    const invalidJson = await post(app, '{"clientId": "a", "text": ');
    expect(invalidJson.statusCode).toBe(400);
    expect(invalidJson.json()).toEqual({ error: 'invalid_json' });

    const huge = await post(app, { clientId: 'big', text: 'ཀ'.repeat(20_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({ error: 'payload_too_large' });

    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      headers: { 'content-type': 'application/xml' },
      payload: '<text>hello</text>',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toEqual({ error: 'unsupported_media_type' });

    // Fastify parses text/plain as a string: not an object, so a cross-site form gets nowhere.
    const plain = await app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      headers: { 'content-type': 'text/plain' },
      payload: '{"clientId":"a","text":"hi"}',
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.json()).toMatchObject({ error: 'validation' });

    const noBody = await app.inject({ method: 'POST', url: '/api/chat/messages' });
    expect(noBody.statusCode).toBe(400);
  });

  it('accepts 4096 Tibetan characters, emoji and control characters', async () => {
    const seen: InboundEvent[] = [];
    const app = await buildApp({ handleInbound: async (e) => (seen.push(e), echo(e)) });
    const long = await post(app, { clientId: 'bo', text: TIBETAN_4096 });
    expect(long.statusCode).toBe(200);
    const sid = sidCookieOf(long);
    expect((await post(app, { clientId: 'emoji', text: '找工作 👩🏽‍🔧🎉' }, sid)).statusCode).toBe(200);
    expect((await post(app, { clientId: 'ctl', text: 'a\u0000b\u0007c' }, sid)).statusCode).toBe(
      200,
    );
    expect(seen.map((e) => (e.input.kind === 'text' ? e.input.text.length : 0))).toEqual([
      4096,
      '找工作 👩🏽‍🔧🎉'.length - 1, // the zero-width joiner is dropped by normalisation
      3,
    ]);
  });

  it('lets a burst through, then answers 429 with Retry-After in the person language', async () => {
    let clock = 1_000_000;
    const handler = vi.fn(echo);
    const app = await buildApp({
      handleInbound: handler,
      rateLimit: { burst: 3, perMinute: 60 },
      now: () => clock,
    });
    const sid = sidCookieOf(await post(app, { clientId: 'm0', text: 'x' }));
    for (const id of ['m1', 'm2'])
      expect((await post(app, { clientId: id, text: 'x' }, sid)).statusCode).toBe(200);
    const limited = await post(app, { clientId: 'm3', text: 'x' }, sid);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    const body = limited.json<{
      error: string;
      message: string;
      lang: string;
      retryAfter: number;
    }>();
    // The conversation is in Chinese (the replies were): the answer is too, and only Chinese.
    expect(body).toMatchObject({ error: 'rate_limited', lang: 'zh-CN', retryAfter: 1 });
    expect(body.message).toBe(uiStrings('zh-CN').rateLimited);
    // Text written in Tibetan is answered in Tibetan.
    const bo = await post(app, { clientId: 'm4', text: 'ལས་ཀ་འཚོལ།' }, sid);
    expect(bo.statusCode).toBe(429);
    expect(bo.json()).toMatchObject({ lang: 'bo', message: uiStrings('bo').rateLimited });
    expect(handler).toHaveBeenCalledTimes(3);
    // One second later one more message is allowed (a refill, not a whole new minute).
    clock += 1000;
    expect((await post(app, { clientId: 'm3', text: 'x' }, sid)).statusCode).toBe(200);
    expect((await post(app, { clientId: 'm5', text: 'x' }, sid)).statusCode).toBe(429);
    // Another session is not affected.
    expect((await post(app, { clientId: 'm3', text: 'x' })).statusCode).toBe(200);
  });

  it('answers a 429 in both languages when the language is not known yet', async () => {
    const app = await buildApp({ rateLimit: { burst: 1, perMinute: 1 } });
    const first = await app.inject({ method: 'POST', url: '/api/chat/messages', payload: {} });
    const sid = sidCookieOf(first); // an invalid body still spends a token
    const limited = await post(app, { clientId: 'c', command: 'start' }, sid);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    const body = limited.json<{ message: string; lang: null }>();
    expect(body.lang).toBeNull();
    expect(body.message).toMatch(/\p{Script=Han}/u);
    expect(body.message).toMatch(/[\u0F40-\u0FBC]/u);
  });

  it('by default allows brisk typing (40 messages in 30 s) but not a flood', async () => {
    let clock = 5_000_000;
    const app = await buildApp({ now: () => clock });
    const sid = sidCookieOf(await post(app, { clientId: 'b0', text: 'x' }));
    for (let i = 1; i < 40; i++) {
      clock += 750;
      const res = await post(app, { clientId: `b${i}`, text: 'x' }, sid);
      expect(res.statusCode, `message ${i}`).toBe(200);
    }
    // A script firing 100 messages at once gets through only what is left of the burst.
    const flood = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(app, { clientId: `f${i}`, text: 'x' }, sid)),
    );
    const passed = flood.filter((r) => r.statusCode === 200).length;
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThanOrEqual(20);
  });

  describe('GET /api/chat/transcript', () => {
    const offering: InboundHandler = (event) =>
      Promise.resolve(
        event.input.kind === 'command'
          ? [
              {
                text: '您好\nཁྱེད་བདེ་མོ།',
                lang: 'zh-CN',
                choices: [
                  { id: 'language:choose#zh', label: '中文' },
                  { id: 'language:choose#bo', label: 'བོད་ཡིག' },
                ],
              },
            ]
          : [{ text: 'ལན།', lang: 'bo' }],
      );

    it('is empty without a session and sets no cookie', async () => {
      const app = await buildApp();
      const res = await app.inject({ method: 'GET', url: '/api/chat/transcript' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ turns: [], session: false });
      expect(res.cookies).toHaveLength(0);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('returns the turns of this session only: what was sent, pressed and answered', async () => {
      const app = await buildApp({ handleInbound: offering });
      const sid = sidCookieOf(await post(app, { clientId: 't0', command: 'start' }));
      await post(app, { clientId: 't1', choice: 'language:choose#bo' }, sid);
      await post(app, { clientId: 't2', text: 'ལས་ཀ' }, sid);
      await post(app, { clientId: 't2', text: 'ལས་ཀ' }, sid); // a retry is not a new turn
      const res = await app.inject({
        method: 'GET',
        url: '/api/chat/transcript',
        headers: { cookie: sid },
      });
      const { turns } = res.json<{
        turns: { in?: unknown; replies: unknown[]; lang: unknown }[];
      }>();
      expect(turns).toHaveLength(3);
      expect(turns[0]).toMatchObject({
        lang: null, // bilingual greeting
        replies: [{ text: '您好\nཁྱེད་བདེ་མོ།', choices: [{ label: '中文' }, { label: 'བོད་ཡིག' }] }],
      });
      expect(turns[0]?.in).toBeUndefined();
      expect(turns[1]).toMatchObject({
        in: { text: 'བོད་ཡིག', lang: 'bo', choice: 'language:choose#bo' },
        lang: 'bo',
      });
      expect(turns[2]).toMatchObject({
        in: { text: 'ལས་ཀ', lang: 'bo' },
        replies: [{ text: 'ལན།' }],
      });
      const last = await app.inject({
        method: 'GET',
        url: '/api/chat/transcript?limit=1',
        headers: { cookie: sid },
      });
      expect(last.json<{ turns: unknown[] }>().turns).toEqual([turns[2]]);
      // Another session sees nothing of it.
      const other = sidCookieOf(await post(app, { clientId: 'o0', text: 'x' }));
      const theirs = await app.inject({
        method: 'GET',
        url: '/api/chat/transcript',
        headers: { cookie: other },
      });
      expect(theirs.json<{ turns: unknown[] }>().turns).toHaveLength(1);
    });

    it('caps each text at 2,000 characters', async () => {
      const app = await buildApp();
      const sid = sidCookieOf(await post(app, { clientId: 'long', text: TIBETAN_4096 }));
      const res = await app.inject({
        method: 'GET',
        url: '/api/chat/transcript',
        headers: { cookie: sid },
      });
      const [turn] = res.json<{ turns: { in: { text: string }; replies: { text: string }[] }[] }>()
        .turns;
      expect(turn?.in.text).toHaveLength(2000);
      expect(turn?.in.text.endsWith('…')).toBe(true);
      expect(turn?.replies[0]?.text).toHaveLength(2000);
    });

    it.each(['limit=0', 'limit=51', 'limit=abc', 'limit=1.5'])(
      'rejects %s with 400 validation details',
      async (query) => {
        const app = await buildApp();
        const res = await app.inject({ method: 'GET', url: `/api/chat/transcript?${query}` });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'validation', details: [{ path: 'limit' }] });
      },
    );
  });

  it('serves the page with a log region and a labelled input, not cached', async () => {
    const app = await buildApp();
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('role="log"');
    expect(res.body).toContain('aria-live="polite"');
    expect(res.body).toMatch(/<label for="input"/);
    expect(res.body).toContain('<span lang="bo">གཏོང་བ</span>');
    expect(res.body).not.toMatch(/\{\{/);
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it('serves whitelisted assets with their content types and a long cache', async () => {
    const app = await buildApp();
    const cases: [string, RegExp][] = [
      ['/assets/chat.js', /^text\/javascript/],
      ['/assets/chat.css', /^text\/css/],
      ['/assets/fonts/noto-serif-tibetan-tibetan-400-normal.woff2', /^font\/woff2$/],
      ['/assets/fonts/noto-serif-tibetan-tibetan-700-normal.woff2', /^font\/woff2$/],
      ['/assets/fonts/OFL.txt', /^text\/plain/],
    ];
    for (const [url, type] of cases) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(type);
      expect(res.headers['cache-control']).toContain('max-age=31536000');
      const etag = String(res.headers.etag);
      const cached = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
      expect(cached.statusCode).toBe(304);
    }
  });

  it.each([
    '/assets/nope.js',
    '/assets/index.html',
    '/assets/../package.json',
    '/assets/fonts/../../package.json',
    '/assets/%2e%2e/package.json',
  ])('answers 404 for %s', async (url) => {
    const app = await buildApp();
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
  });

  it('gives the chrome strings per language', async () => {
    const app = await buildApp();
    const bo = await app.inject({ method: 'GET', url: '/api/chat/ui?lang=bo' });
    expect(bo.json()).toMatchObject({ lang: 'bo', strings: { send: 'གཏོང་བ' } });
    const zh = await app.inject({ method: 'GET', url: '/api/chat/ui?lang=zh-CN' });
    expect(zh.json()).toMatchObject({ lang: 'zh-CN', strings: { send: '发送' } });
    expect((await app.inject({ method: 'GET', url: '/api/chat/ui?lang=en' })).statusCode).toBe(400);
  });
});

describe('web locales', () => {
  it('have the same keys in both languages and no Chinese in Tibetan', () => {
    const zh = uiStrings('zh-CN');
    const bo = uiStrings('bo');
    expect(Object.keys(bo).sort()).toEqual(Object.keys(zh).sort());
    for (const [key, text] of Object.entries(bo)) {
      expect(text, key).toMatch(/[\u0F40-\u0FBC]/u);
      expect(text, key).not.toMatch(/\p{Script=Han}/u);
    }
  });
});

describe('visitors and new sessions (issue 8, B6)', () => {
  const greeting: OutgoingMessage[] = [{ text: 'greeting', lang: 'zh-CN' }];

  it('answers the page’s automatic start with the greeting, storing nothing and setting no cookie', async () => {
    const handled: InboundEvent[] = [];
    const app = await buildApp({
      greet: () => greeting,
      handleInbound: (e) => {
        handled.push(e);
        return echo(e);
      },
    });
    const before = (await redis.keys('*')).length;
    const res = await post(app, { clientId: 'visit-1', command: 'start' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ replies: OutgoingMessage[] }>().replies).toEqual(greeting);
    expect(res.cookies.find((c) => c.name === 'lamton_sid')).toBeUndefined();
    expect(handled).toHaveLength(0); // no person, no session
    expect((await redis.keys('*')).length).toBe(before);
  });

  it('limits new sessions per client address, not the messages of an existing session', async () => {
    const app = await buildApp({
      greet: () => greeting,
      newSessionLimit: { burst: 3, perMinute: 1 },
    });
    const fromA = (i: number) =>
      app.inject({
        method: 'POST',
        url: '/api/chat/messages',
        remoteAddress: '203.0.113.7',
        payload: { clientId: `flood-${i}`, text: 'hi' },
      });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await fromA(i)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    // Someone else behind another address starts fine; a session that exists keeps talking.
    const other = await app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      remoteAddress: '198.51.100.9',
      payload: { clientId: 'other-1', text: 'hi' },
    });
    expect(other.statusCode).toBe(200);
    const session = sidCookieOf(other);
    for (let i = 0; i < 5; i++)
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/chat/messages',
            remoteAddress: '203.0.113.7',
            headers: { cookie: session },
            payload: { clientId: `talk-${i}`, text: 'hi' },
          })
        ).statusCode,
      ).toBe(200);
  });
});
