import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginRoutes } from '../src/accounts/login.routes.js';
import { startTestApp, type TestApp } from './support/app.js';
import { sessionCookie } from './support/admin-session.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const PASSWORD = 'a long enough password';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('accounts, roles and the admin login', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
    for (const [username, role] of [
      ['sonam', 'supervisor'],
      ['lhamo', 'counsellor'],
      ['dawa', 'admin'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/admin/accounts',
        headers: asAdmin,
        payload: {
          username,
          role,
          password: PASSWORD,
          ...(role === 'counsellor' ? { languages: ['bo'] } : {}),
        },
      });
      expect(res.statusCode, username).toBe(201);
      ids[username] = res.json<{ id: string }>().id;
      const token = await t.app.inject({
        method: 'POST',
        url: `/api/admin/accounts/${ids[username]}/tokens`,
        headers: asAdmin,
        payload: { name: 'tests' },
      });
      expect(token.statusCode).toBe(201);
      tokens[username] = token.json<{ token: string }>().token;
    }
  });
  afterAll(() => t.close());

  const bearer = (name: string) => ({ authorization: `Bearer ${tokens[name]}` });
  const login = (
    username: string,
    password: string,
    opts: { ip?: string; next?: string; headers?: Record<string, string> } = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: opts.ip ?? '10.1.0.1',
      headers: { ...FORM, ...opts.headers },
      payload: new URLSearchParams({
        username,
        password,
        ...(opts.next ? { next: opts.next } : {}),
      }).toString(),
    });
  const card = async () =>
    (await t.app.inject({ url: '/api/admin/cards', headers: asAdmin })).json<{
      items: { card: Record<string, unknown> & { id: string } }[];
    }>().items[0]!.card;

  it('ADMIN_TOKEN is the admin account’s token; whoami names the acting account', async () => {
    const me = await t.app.inject({ url: '/api/admin/whoami', headers: asAdmin });
    expect(me.statusCode).toBe(200);
    const admin = await t.deps.accounts.byUsername('admin');
    expect(admin?.role).toBe('admin');
    expect(me.json()).toEqual({ id: admin!.id, username: 'admin', role: 'admin' });
    const counsellor = await t.app.inject({ url: '/api/admin/whoami', headers: bearer('lhamo') });
    expect(counsellor.json()).toEqual({ id: ids.lhamo, username: 'lhamo', role: 'counsellor' });
  });

  it('lists accounts and tokens without any password hash or token', async () => {
    const res = await t.app.inject({ url: '/api/admin/accounts', headers: asAdmin });
    expect(res.statusCode).toBe(200);
    const items = res.json<{
      items: {
        username: string;
        role: string;
        languages: string[];
        hasPassword: boolean;
        tokens: { name: string }[];
      }[];
    }>().items;
    expect(items.map((a) => a.username)).toEqual(['admin', 'dawa', 'lhamo', 'sonam']);
    expect(items.find((a) => a.username === 'lhamo')).toMatchObject({
      role: 'counsellor',
      languages: ['bo'],
      hasPassword: true,
      tokens: [{ name: 'tests' }],
    });
    expect(items.find((a) => a.username === 'admin')).toMatchObject({ hasPassword: false });
    expect(res.body).not.toMatch(/scrypt|lmt_|hash/);
    // The database keeps only the tokens' SHA-256.
    const stored = await t.deps.mongo.collection('account_tokens').find().toArray();
    expect(stored).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toContain(tokens.lhamo!.slice(4));
  });

  it('refuses bad account input with 400 details, a taken name with 409, unknown ids with 404', async () => {
    const post = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/api/admin/accounts', headers: asAdmin, payload });
    const short = await post({ username: 'tenzin', role: 'supervisor', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ error: 'validation', details: [{ path: 'password' }] });
    expect((await post({ username: 'tenzin', role: 'boss' })).json()).toMatchObject({
      error: 'validation',
      details: [{ path: 'role' }],
    });
    expect((await post({ username: 'a b', role: 'admin' })).statusCode).toBe(400);
    expect((await post({ username: 'Sonam', role: 'admin' })).statusCode).toBe(409);
    for (const id of ['nope', '0123456789abcdef01234567', '{"$ne":1}']) {
      const patch = await t.app.inject({
        method: 'PATCH',
        url: `/api/admin/accounts/${encodeURIComponent(id)}`,
        headers: asAdmin,
        payload: { role: 'admin' },
      });
      expect(patch.statusCode, id).toBe(404);
      const tok = await t.app.inject({
        method: 'POST',
        url: `/api/admin/accounts/${encodeURIComponent(id)}/tokens`,
        headers: asAdmin,
        payload: { name: 'x' },
      });
      expect(tok.statusCode, id).toBe(404);
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/admin/accounts/${ids.sonam}/tokens/${encodeURIComponent(id)}`,
        headers: asAdmin,
      });
      expect(del.statusCode, id).toBe(404);
    }
    const empty = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/accounts/${ids.sonam}`,
      headers: asAdmin,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });

  it('wrong or missing credentials are 401 with www-authenticate: Bearer', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer lmt_nope' },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { cookie: 'lamton_admin=forged' },
    ]) {
      const res = await t.app.inject({ url: '/api/admin/cards', headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json()).toEqual({ error: 'unauthorized' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('roles: a counsellor may not use admin routes, a supervisor reads but does not write', async () => {
    const forbidden = await t.app.inject({ url: '/api/admin/cards', headers: bearer('lhamo') });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error: 'forbidden' });
    expect(
      (await t.app.inject({ url: '/api/admin/questions/unanswered', headers: bearer('lhamo') }))
        .statusCode,
    ).toBe(403);

    const c = await card();
    expect(
      (await t.app.inject({ url: '/api/admin/cards', headers: bearer('sonam') })).statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ url: `/api/admin/cards/${c.id}`, headers: bearer('sonam') }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ url: '/api/admin/questions/unanswered', headers: bearer('sonam') }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ url: '/api/admin/examples', headers: bearer('sonam') })).statusCode,
    ).toBe(200);
    for (const req of [
      { method: 'PUT' as const, url: `/api/admin/cards/${c.id}`, payload: c },
      { method: 'POST' as const, url: `/api/admin/cards/${c.id}/retire` },
      {
        method: 'POST' as const,
        url: '/api/admin/examples',
        payload: { lang: 'zh-CN', text: '主管能教吗', topic: 'none' },
      },
      { method: 'GET' as const, url: '/api/admin/accounts' },
      {
        method: 'POST' as const,
        url: `/api/admin/accounts/${ids.sonam}/tokens`,
        payload: { name: 'mine' },
      },
    ]) {
      const res = await t.app.inject({ ...req, headers: bearer('sonam') });
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(403);
    }
    expect((await t.deps.cards.get(c.id))!.retired).toBe(false);
  });

  it('the audit log names the acting account', async () => {
    const c = await card();
    const retire = await t.app.inject({
      method: 'POST',
      url: `/api/admin/cards/${c.id}/retire`,
      headers: bearer('dawa'),
    });
    expect(retire.statusCode).toBe(200);
    const restore = await t.app.inject({
      method: 'POST',
      url: `/api/admin/cards/${c.id}/restore`,
      headers: asAdmin,
    });
    expect(restore.statusCode).toBe(200);
    const trail = await t.deps.audit.forTarget(`card:${c.id}`);
    expect(trail.map((a) => [a.action, a.actor])).toEqual([
      ['card.restore', 'admin'],
      ['card.retire', 'dawa'],
    ]);
    expect((await t.deps.cards.get(c.id))!.updatedBy).toBe('admin');
    const created = await t.deps.audit.forTarget('account:sonam');
    expect(created.map((a) => [a.action, a.actor])).toEqual(
      expect.arrayContaining([
        ['account.create', 'admin'],
        ['token.create', 'admin'],
      ]),
    );
  });

  it('an account token is revocable; a disabled account is refused', async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: `/api/admin/accounts/${ids.dawa}/tokens`,
      headers: asAdmin,
      payload: { name: 'laptop' },
    });
    const { id, token } = made.json<{ id: string; token: string }>();
    expect(token).toMatch(/^lmt_[A-Za-z0-9_-]{43}$/);
    const who = () =>
      t.app.inject({ url: '/api/admin/whoami', headers: { authorization: `Bearer ${token}` } });
    expect((await who()).json()).toMatchObject({ username: 'dawa' });
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/accounts/${ids.dawa}/tokens/${id}`,
      headers: asAdmin,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await who()).statusCode).toBe(401);
    expect((await t.deps.audit.forTarget('account:dawa')).map((a) => a.action)).toEqual(
      expect.arrayContaining(['token.create', 'token.revoke']),
    );

    // Disabled: neither its token nor a session works; enabled again, both do.
    const session = sessionCookie(await login('dawa', PASSWORD));
    const disable = (disabled: boolean) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/admin/accounts/${ids.dawa}`,
        headers: asAdmin,
        payload: { disabled },
      });
    expect((await disable(true)).json()).toMatchObject({ disabled: true });
    expect(
      (await t.app.inject({ url: '/api/admin/whoami', headers: bearer('dawa') })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/admin/whoami', headers: { cookie: session } })).statusCode,
    ).toBe(401);
    expect((await login('dawa', PASSWORD, { ip: '10.1.0.9' })).statusCode).toBe(401);
    expect((await disable(false)).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/api/admin/whoami', headers: bearer('dawa') })).statusCode,
    ).toBe(200);
    // The session from before the disabling stays ended (its token works again, it does not).
    expect(
      (await t.app.inject({ url: '/api/admin/whoami', headers: { cookie: session } })).statusCode,
    ).toBe(401);

    // A new password ends every session logged in with the old one; a new login works.
    const before = sessionCookie(await login('dawa', PASSWORD, { ip: '10.1.0.10' }));
    const other = sessionCookie(await login('dawa', PASSWORD, { ip: '10.1.0.11' }));
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/accounts/${ids.dawa}`,
      headers: asAdmin,
      payload: { password: 'a new password 2026' },
    });
    expect(changed.statusCode).toBe(200);
    for (const cookie of [before, other])
      expect(
        (await t.app.inject({ url: '/api/admin/whoami', headers: { cookie } })).statusCode,
      ).toBe(401);
    const after = sessionCookie(await login('dawa', 'a new password 2026', { ip: '10.1.0.12' }));
    expect(
      (await t.app.inject({ url: '/api/admin/whoami', headers: { cookie: after } })).json(),
    ).toMatchObject({ username: 'dawa' });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/accounts/${ids.dawa}`,
      headers: asAdmin,
      payload: { password: PASSWORD },
    });
  });

  it('keeps one enabled administrator: the last one cannot be disabled or demoted', async () => {
    await t.deps.accounts.update(ids.dawa!, { disabled: true });
    const admin = (await t.deps.accounts.byUsername('admin'))!;
    for (const payload of [{ disabled: true }, { role: 'supervisor' }]) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/admin/accounts/${admin.id}`,
        headers: asAdmin,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(409);
    }
    await t.deps.accounts.update(ids.dawa!, { disabled: false });
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/accounts/${ids.dawa}`,
      headers: asAdmin,
      payload: { role: 'supervisor' },
    });
    expect(demote.json()).toMatchObject({ role: 'supervisor' });
    await t.deps.accounts.update(ids.dawa!, { role: 'admin' });

    // Two administrators disable each other at once: one of them stays (both did, now and then).
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([
        t.app.inject({
          method: 'PATCH',
          url: `/api/admin/accounts/${admin.id}`,
          headers: bearer('dawa'),
          payload: { disabled: true },
        }),
        t.app.inject({
          method: 'PATCH',
          url: `/api/admin/accounts/${ids.dawa}`,
          headers: asAdmin,
          payload: { disabled: true },
        }),
      ]);
      expect([a.statusCode, b.statusCode].sort(), `round ${round}`).toEqual([200, 409]);
      await t.deps.accounts.update(admin.id, { disabled: false });
      await t.deps.accounts.update(ids.dawa!, { disabled: false });
    }
  });

  it('login: a strict HttpOnly session cookie, a redirect to a local next, the session reads the API', async () => {
    const res = await login('Sonam', PASSWORD, { next: '/admin/campaigns?x=1' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/campaigns?x=1');
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/^lamton_admin=[A-Za-z0-9_-]{43};/);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    expect(set).toMatch(/; Path=\//);
    expect(set).not.toMatch(/Secure/); // no https PUBLIC_URL here (see the next test)
    const cookie = sessionCookie(res);
    const sid = cookie.split('=')[1]!;
    const ttl = await t.deps.redis.ttl(`${t.deps.prefix}admin:sess:${sid}`);
    expect(ttl).toBeGreaterThan(12 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(12 * 3600);
    // The account and its sessions' generation (a new password moves it on).
    expect(await t.deps.redis.get(`${t.deps.prefix}admin:sess:${sid}`)).toBe(`${ids.sonam}:0`);

    const me = await t.app.inject({ url: '/api/admin/whoami', headers: { cookie } });
    expect(me.json()).toMatchObject({ username: 'sonam', role: 'supervisor' });
    expect((await t.app.inject({ url: '/api/admin/cards', headers: { cookie } })).statusCode).toBe(
      200,
    );
    // Sliding expiry: a use renews the 12 hours.
    await t.deps.redis.expire(`${t.deps.prefix}admin:sess:${sid}`, 100);
    await t.app.inject({ url: '/api/admin/whoami', headers: { cookie } });
    expect(await t.deps.redis.ttl(`${t.deps.prefix}admin:sess:${sid}`)).toBeGreaterThan(
      12 * 3600 - 60,
    );

    for (const next of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/ad min',
    ]) {
      const r = await login('sonam', PASSWORD, { next });
      expect(r.headers.location, next).toBe('/admin');
    }
    const json = await t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: '10.1.0.2',
      payload: { username: 'sonam', password: PASSWORD },
    });
    expect(json.statusCode).toBe(303);
    expect(sessionCookie(json)).not.toBe(cookie);
    expect(
      (await t.deps.audit.forTarget('account:sonam')).filter((a) => a.action === 'account.login')
        .length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('marks the cookie Secure when PUBLIC_URL is https', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(cookie);
    await app.register(
      loginRoutes({
        accounts: t.deps.accounts,
        adminSessions: t.deps.adminSessions,
        audit: t.deps.audit,
        redis: t.deps.redis,
        prefix: t.deps.prefix,
        strings: (lang) => t.deps.translator.namespace(lang, 'admin'),
        config: { PUBLIC_URL: 'https://lamton.example' },
      }),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: FORM,
      remoteAddress: '10.1.0.3',
      payload: `username=sonam&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
    await app.close();
  });

  it('a cookie request from another site cannot change anything (CSRF); our own pages can', async () => {
    const cookie = sessionCookie(await login('dawa', PASSWORD));
    const teach = (headers: Record<string, string>, text: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/admin/examples',
        headers: { cookie, ...headers },
        payload: { lang: 'zh-CN', text, topic: 'none' },
      });
    const cross = await teach({ origin: 'https://evil.example' }, '跨站请求一');
    expect(cross.statusCode).toBe(403);
    expect(cross.json()).toMatchObject({ error: 'forbidden' });
    expect((await teach({ referer: 'https://evil.example/page' }, '跨站请求二')).statusCode).toBe(
      403,
    );
    expect((await teach({ origin: 'null' }, '跨站请求三')).statusCode).toBe(403);
    expect((await t.deps.examples.list({ limit: 10 })).items).toEqual([]);
    // The same from our own origin, or with no Origin at all (SameSite=Strict kept the cookie
    // off cross-site requests anyway), goes through.
    expect((await teach({ origin: 'http://localhost:80' }, '同站请求一')).statusCode).toBe(201);
    expect((await teach({}, '同站请求二')).statusCode).toBe(201);
    // A bearer token is not a browser credential: no Origin check.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/admin/examples',
          headers: { ...bearer('dawa'), origin: 'https://evil.example' },
          payload: { lang: 'zh-CN', text: '令牌请求', topic: 'none' },
        })
      ).statusCode,
    ).toBe(201);
    // A login form posted from another site is refused too.
    expect(
      (await login('dawa', PASSWORD, { headers: { origin: 'https://evil.example' } })).statusCode,
    ).toBe(403);
    const trail = await t.deps.mongo
      .collection('audit_log')
      .find({ action: 'example.add' })
      .toArray();
    expect(trail.map((a) => a.actor as string).sort()).toEqual(['dawa', 'dawa', 'dawa']);
  });

  it('locks a user name after 5 failed logins in 15 minutes, even for the right password; a success resets the count', async () => {
    const ip = '10.2.0.1';
    // 3 failures, a success, 4 failures: not locked (the success reset the count).
    for (let i = 0; i < 3; i++)
      expect((await login('lhamo', 'wrong password!', { ip })).statusCode).toBe(401);
    expect((await login('lhamo', PASSWORD, { ip })).statusCode).toBe(303);
    for (let i = 0; i < 4; i++)
      expect((await login('lhamo', 'wrong password!', { ip })).statusCode).toBe(401);
    expect((await login('lhamo', PASSWORD, { ip })).statusCode).toBe(303);

    const failed = t.deps.translator.t('zh-CN', 'admin:failed');
    const locked = t.deps.translator.t('zh-CN', 'admin:locked');
    for (let i = 1; i <= 5; i++) {
      const res = await login('lhamo', 'wrong password!', { ip });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain(failed);
      expect(res.body.includes(locked), `attempt ${i}`).toBe(i === 5);
    }
    const right = await login('lhamo', PASSWORD, { ip });
    expect(right.statusCode).toBe(401);
    expect(right.body).toContain(locked);
    expect(right.body).toContain(t.deps.translator.t('bo', 'admin:locked'));
    expect(right.cookies.find((c) => c.name === 'lamton_admin')).toBeUndefined();
    const lockKey = `${t.deps.prefix}admin:login:lock:lhamo`;
    expect(await t.deps.redis.ttl(lockKey)).toBeGreaterThan(15 * 60 - 60);
    const json = await t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: ip,
      payload: { username: 'lhamo', password: PASSWORD },
    });
    expect(json.json()).toEqual({ error: 'unauthorized', reason: 'locked' });

    const trail = await t.deps.audit.forTarget('account:lhamo', 100);
    expect(trail.filter((a) => a.action === 'account.locked')).toHaveLength(1);
    expect(trail.filter((a) => a.action === 'account.login_failed').length).toBeGreaterThanOrEqual(
      14,
    );
    // 15 minutes later (the lock expires): the right password works again.
    await t.deps.redis.del(lockKey);
    expect((await login('lhamo', PASSWORD, { ip })).statusCode).toBe(303);
  });

  it('counts a burst of parallel guesses before checking them: no more checks than the limits', async () => {
    const ip = '10.9.0.1';
    const attempt = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/login',
        remoteAddress: ip,
        payload: { username: 'dawa', password },
      });
    const since = new Date();
    // 29 wrong guesses and the right password at once (counted after the check, all were
    // checked and the right one logged in).
    const wrong = Array.from({ length: 29 }, (_, i) => attempt(`wrong guess ${i}!`));
    const results = await Promise.all([...wrong, attempt(PASSWORD)]);
    const trail = (await t.deps.audit.forTarget('account:dawa', 200)).filter((a) => a.at >= since);
    const checked = trail.filter(
      (a) => a.action === 'account.login_failed' && a.details?.reason !== 'locked',
    ).length;
    const signedIn = results.filter((r) => r.statusCode === 303).length;
    expect(checked + signedIn).toBeLessThanOrEqual(5);
    expect(checked + signedIn).toBeGreaterThan(0);
    expect(results.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(9);
    // The lock lapses (15 minutes): the account is usable again.
    await t.deps.redis.del(
      `${t.deps.prefix}admin:login:lock:dawa`,
      `${t.deps.prefix}admin:login:fail:dawa`,
    );
  });

  it('limits failed logins per address (password spraying over many names)', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 20; i++)
      expect((await login(`user${i}`, 'wrong password!', { ip })).statusCode).toBe(401);
    const refused = await login('sonam', PASSWORD, { ip });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toContain(t.deps.translator.t('zh-CN', 'admin:tooMany'));
    // Another address is not affected.
    expect((await login('sonam', PASSWORD, { ip: '10.3.0.2' })).statusCode).toBe(303);
  });

  it('serves a bilingual login page and landing page without script; logout ends the session', async () => {
    const page = await t.app.inject('/admin/login?next=/admin/queues');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script|https?:\/\//);
    for (const lang of ['zh-CN', 'bo'] as const)
      for (const key of ['loginTitle', 'username', 'password', 'signIn'])
        expect(page.body, `${lang} ${key}`).toContain(t.deps.translator.t(lang, `admin:${key}`));
    expect(page.body).toContain('value="/admin/queues"');
    expect(page.body).toContain('/assets/fonts/noto-serif-tibetan');

    const away = await t.app.inject('/admin');
    expect(away.statusCode).toBe(303);
    expect(away.headers.location).toBe('/admin/login');
    const cookie = sessionCookie(await login('sonam', PASSWORD, { ip: '10.4.0.1' }));
    const home = await t.app.inject({ url: '/admin', headers: { cookie } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('sonam');
    expect(home.body).toContain(t.deps.translator.t('bo', 'admin:role.supervisor'));
    for (const href of ['/admin/campaigns', '/admin/queues', '/docs'])
      expect(home.body).toContain(`href="${href}"`);

    const crossLogout = await t.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(crossLogout.statusCode).toBe(403);
    const out = await t.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie, origin: 'http://localhost:80' },
    });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/lamton_admin=;/);
    expect((await t.app.inject({ url: '/api/admin/whoami', headers: { cookie } })).statusCode).toBe(
      401,
    );
    expect((await t.app.inject({ url: '/admin', headers: { cookie } })).statusCode).toBe(303);
    expect((await t.deps.audit.forTarget('account:sonam')).map((a) => a.action)).toContain(
      'account.logout',
    );
  });

  it('/docs opens for an administrator’s or supervisor’s session, not a counsellor’s', async () => {
    const supervisor = sessionCookie(await login('sonam', PASSWORD, { ip: '10.5.0.1' }));
    expect(
      (await t.app.inject({ url: '/docs/json', headers: { cookie: supervisor } })).statusCode,
    ).toBe(200);
    const counsellor = sessionCookie(await login('lhamo', PASSWORD, { ip: '10.5.0.1' }));
    const refused = await t.app.inject({ url: '/docs/json', headers: { cookie: counsellor } });
    // Logged in, but not admitted: 403, without the browser's login box (a Basic challenge).
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['www-authenticate']).toBeUndefined();
    const anonymous = await t.app.inject({ url: '/docs/json' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
    const spec = (await t.app.inject({ url: '/docs/json', headers: { cookie: supervisor } })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/admin/accounts', '/api/admin/accounts/{id}/tokens']),
    );
  });

  it('never writes a password or a token to the audit log', async () => {
    const all = JSON.stringify(await t.deps.mongo.collection('audit_log').find().toArray());
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('wrong password!');
    expect(all).not.toContain('lmt_');
  });
});

describe('without ADMIN_TOKEN and without accounts', () => {
  it('the admin API is closed and no account is made', async () => {
    const t = await startTestApp({}, { listen: false });
    try {
      for (const authorization of ['Bearer ', 'Bearer undefined', 'Bearer lmt_x', 'Bearer null'])
        expect(
          (await t.app.inject({ url: '/api/admin/whoami', headers: { authorization } })).statusCode,
        ).toBe(401);
      expect(await t.deps.accounts.list()).toEqual([]);
      expect((await t.app.inject('/docs/json')).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });
});
