import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startTestApp, type TestApp } from './support/app.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

describe('HTTP plumbing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
  });
  afterAll(() => t.close());

  it('/healthz says alive and /readyz checks Redis and MongoDB', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', mongodb: 'ok' } });
  });

  it('/metrics is Prometheus text with the turn counter', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      payload: { clientId: 'm1', choice: 'language:choose#zh' },
    });
    // Not public: the bearer token (METRICS_TOKEN or ADMIN_TOKEN) that Prometheus sends.
    expect((await t.app.inject('/metrics')).statusCode).toBe(401);
    const res = await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/lamton_turns_total\{channel="web",outcome="ok"\} 1/);
    expect(res.body).toMatch(/lamton_turn_duration_seconds_bucket/);
  });

  it('serves the OpenAPI document and its UI at /docs, to administrators only', async () => {
    for (const url of ['/docs/', '/docs/json', '/docs/static/index.html']) {
      const closed = await t.app.inject(url);
      expect(closed.statusCode, url).toBe(401);
      expect(closed.headers['www-authenticate']).toMatch(/^Basic/);
    }
    const login = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`;
    const wrong = `Basic ${Buffer.from('admin:nope').toString('base64')}`;
    expect(
      (await t.app.inject({ url: '/docs/json', headers: { authorization: wrong } })).statusCode,
    ).toBe(401);
    const ui = await t.app.inject({ url: '/docs/', headers: { authorization: login } });
    expect(ui.statusCode).toBe(200);
    const doc = await t.app.inject({ url: '/docs/json', headers: { authorization: login } });
    const spec = doc.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/readyz',
        '/api/admin/whoami',
        '/api/admin/cards/{id}',
        '/api/admin/examples',
        '/api/admin/examples/{id}',
      ]),
    );
  });

  it('no page can be framed by another site', async () => {
    for (const url of ['/', '/healthz', '/api/chat/ui?lang=bo']) {
      const res = await t.app.inject(url);
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
  });

  it('admin routes need the bearer token: 401 without or wrong, 200 with it', async () => {
    expect((await t.app.inject('/api/admin/whoami')).statusCode).toBe(401);
    const wrong = await t.app.inject({
      url: '/api/admin/whoami',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'unauthorized' });
    const ok = await t.app.inject({
      url: '/api/admin/whoami',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('unknown routes are a JSON 404, malformed requests never a 5xx', async () => {
    const missing = await t.app.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found' });
    const bad = [
      {
        method: 'POST' as const,
        url: '/api/chat/messages',
        headers: { 'content-type': 'application/json' },
        payload: '{',
      },
      {
        method: 'POST' as const,
        url: '/api/chat/messages',
        headers: { 'content-type': 'application/xml' },
        payload: '<a/>',
      },
      { method: 'POST' as const, url: '/api/chat/messages', payload: { clientId: '', text: 5 } },
      {
        method: 'POST' as const,
        url: '/api/chat/messages',
        payload: { clientId: 'x'.repeat(65), text: 'a' },
      },
      { method: 'GET' as const, url: '/api/chat/ui?lang=fr' },
      { method: 'GET' as const, url: '/assets/..%2f..%2fpackage.json' },
    ];
    for (const req of bad) {
      const res = await t.app.inject(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${req.method} ${req.url}`).toBeLessThan(500);
    }
  });

  it('answers 404 for an id in the path that could never exist, on every admin route', async () => {
    // Campaigns, cases, cards, examples and webhooks answered 400; people and jobs 404.
    for (const url of [
      '/api/admin/campaigns/not-an-id',
      '/api/admin/cases/xyz',
      '/api/admin/cards/UPPER%20case',
      '/api/admin/webhooks/zz/redeliver',
    ]) {
      const res = await t.app.inject({
        method: url.endsWith('redeliver') ? 'POST' : 'GET',
        url,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found' });
    }
  });

  it('answers an admin body it cannot read in the contract’s shape, naming an unknown field', async () => {
    const post = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/admin/accounts',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        payload,
      });
    // They were {"error":"bad_request","message":…} without details, or details with path "".
    for (const [payload, message] of [
      ['{', 'the body is not valid JSON'],
      ['{"__proto__": {"x": 1}}', 'the body is not valid JSON'],
    ] as const) {
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'validation', details: [{ path: '', message }] });
    }
    const extra = await post(
      JSON.stringify({
        username: 'extra',
        password: 'long enough password',
        role: 'counsellor',
        shoe: 1,
      }),
    );
    expect(extra.statusCode).toBe(400);
    expect(extra.json<{ details: unknown[] }>().details).toContainEqual(
      expect.objectContaining({ path: 'shoe' }),
    );
  });
});

describe('logging', () => {
  it('never writes message text, tokens or cookies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger('trace', sink);
    const t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
    // Route the app's request logs and the conversation layer's logs through the capturing logger.
    const secretText = '我的身份证号是540102199001011234';
    const app = (await import('../src/http/app.js')).buildApp;
    const logged = await app({ ...t.deps, log });
    const first = await logged.inject({
      method: 'POST',
      url: '/api/chat/messages',
      payload: { clientId: 'l1', text: secretText },
    });
    const cookie = first.headers['set-cookie'];
    await logged.inject({
      url: '/api/admin/whoami',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    // A media link is a bearer link to a voice note: its token never reaches the log.
    const mediaToken = 'eyJjIjoid2VjaGF0IiwiaSI6Ik1FRElBIn0.c2lnbmF0dXJlLW9mLXRoZS1saW5r';
    await logged.inject({ url: `/media/${mediaToken}` });
    await logged.close();
    await t.close();
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(2);
    expect(all).not.toContain('540102199001011234');
    expect(all).not.toContain(ADMIN_TOKEN);
    expect(all).toContain('/media/[redacted]');
    expect(all).not.toContain(mediaToken.split('.')[1]!);
    expect(all).not.toContain(String(cookie).split(';')[0]!.split('=')[1]);
    // Redaction also covers ad-hoc objects that carry text.
    const l2: string[] = [];
    const l = createLogger(
      'info',
      new Writable({ write: (c: Buffer, _e, cb) => (l2.push(c.toString()), cb()) }),
    );
    l.info({ text: 'private words', token: 'tok' }, 'x');
    expect(l2.join('')).not.toMatch(/private words|tok"/);
    // An ioredis error carries its command's arguments (a transcript, a person's words): the
    // log keeps the error's kind and message only.
    const replyError = Object.assign(new Error('OOM command not allowed'), {
      name: 'ReplyError',
      command: { name: 'rpush', args: ['web:tx:1', '{"in":{"text":"我不想活了"}}'] },
      previousErrors: [{ command: { args: ['我不想活了'] } }],
    });
    l.warn({ err: replyError }, 'transcript write failed');
    const warned = l2.join('');
    expect(warned).toContain('OOM command not allowed');
    expect(warned).not.toContain('我不想活了');
  });
});
