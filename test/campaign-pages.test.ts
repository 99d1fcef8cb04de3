/**
 * The campaign pages over HTTP (inject): behind the admin login, by role, in one language at a
 * time, strict CSP, every campaign field escaped. The browser test drives them for real
 * (test/campaign-pages.e2e.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageLang } from '../src/campaigns/campaign.pages.js';
import { startTestApp, type TestApp } from './support/app.js';
import { sessionCookie } from './support/admin-session.js';

const ADMIN_TOKEN = 'campaign-pages-admin-token-0123456789';
const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const PASSWORD = 'a long enough password';
const EVIL = '<script>alert(1)</script>招聘会 "&\'';
const ZH = '春风行动招聘会12月10日上午在城关区举行，欢迎参加。';
const BO = 'དཔྱིད་རླུང་བྱ་འགུལ་གྱི་ལས་མི་འདེད་འཛུགས་ཚོགས་འདུ་ཁྲིན་ཀོན་ཆུས་སུ་འཚོགས་རྒྱུ་ཡིན། </textarea><b>';

/** A day some 200 days ahead (a campaign may be scheduled up to a year ahead). */
const LATER_DAY = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);

describe('campaign pages (HTTP)', () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  let id = '';
  const s = (lang: 'zh-CN' | 'bo', key: string) =>
    t.deps.translator.t(lang, `admin:campaigns.${key}`);
  const get = (url: string, cookie?: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { ...(cookie ? { cookie } : {}), ...headers } });

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
    for (const [username, role] of [
      ['pema', 'admin'],
      ['sonam', 'supervisor'],
      ['lhamo', 'counsellor'],
    ] as const) {
      const made = await t.app.inject({
        method: 'POST',
        url: '/api/admin/accounts',
        headers: asAdmin,
        payload: { username, role, password: PASSWORD },
      });
      expect(made.statusCode, username).toBe(201);
      const login = await t.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username, password: PASSWORD }).toString(),
      });
      cookies[username] = sessionCookie(login);
    }
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/admin/campaigns',
      headers: asAdmin,
      payload: {
        title: EVIL,
        message: { 'zh-CN': ZH, bo: BO },
        audience: { districts: ['城关区'] },
        sendAt: `${LATER_DAY}T02:00:00+08:00`,
      },
    });
    expect(created.statusCode).toBe(201);
    id = created.json<{ id: string }>().id;
  });
  afterAll(() => t.close());

  it('sends a visitor without a session to the login, with the page to come back to', async () => {
    for (const url of [
      '/admin/campaigns',
      '/admin/campaigns/new',
      `/admin/campaigns/${id}?lang=bo`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location, url).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    }
    expect((await get('/admin/campaigns', 'lamton_admin=forged')).statusCode).toBe(302);
  });

  it('refuses a counsellor with a 403 page, and a supervisor the form', async () => {
    const refused = await get('/admin/campaigns', cookies.lhamo);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toContain(s('zh-CN', 'forbidden'));
    expect((await get(`/admin/campaigns/${id}`, cookies.lhamo)).statusCode).toBe(403);
    expect((await get('/admin/campaigns/new', cookies.sonam)).statusCode).toBe(403);
    expect((await get('/admin/campaigns/new', cookies.pema)).statusCode).toBe(200);
  });

  it('escapes a campaign title and texts on the list and the campaign page', async () => {
    for (const url of ['/admin/campaigns', `/admin/campaigns/${id}`]) {
      const res = await get(url, cookies.pema);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('<script>alert(1)');
      expect(res.body, url).toContain(
        '&#60;script&#62;alert(1)&#60;/script&#62;招聘会 &#34;&#38;&#39;',
      );
    }
    const page = (await get(`/admin/campaigns/${id}`, cookies.pema)).body;
    expect(page).not.toContain('</textarea><b>');
    expect(page).toContain('&#60;/textarea&#62;&#60;b&#62;');
    // The script's copy of the campaign cannot close its element either.
    const json = /<script type="application\/json" id="page-data">([^<]*)<\/script>/.exec(page);
    expect(json?.[1]).toContain('\\u003cscript\\u003ealert(1)');
    const data = JSON.parse(json![1]!) as { campaign: { title: string } };
    expect(data.campaign.title).toBe(EVIL);
  });

  it('serves the pages with a strict CSP: own script and style only, no inline handlers', async () => {
    const res = await get(`/admin/campaigns/${id}`, cookies.pema);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).not.toMatch(/\son[a-z]+=|https?:\/\//);
    const src = /<script src="([^"]+)"/.exec(res.body)?.[1];
    expect(src).toMatch(/^\/admin\/assets\/campaigns\.js\?v=/);
    const js = await get(src!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('/api/admin/campaigns/preview');
    expect(js.body).not.toContain('innerHTML');
    const css = await get(/<link rel="stylesheet" href="([^"]+)"/.exec(res.body)![1]!);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain('noto-serif-tibetan');
  });

  it('speaks the language asked for: ?lang=, else Accept-Language, else Chinese', async () => {
    const zh = await get('/admin/campaigns', cookies.pema);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain(s('zh-CN', 'status.scheduled'));
    expect(zh.body).toContain('href="/admin/campaigns?lang=bo"');

    const bo = await get('/admin/campaigns?lang=bo', cookies.pema);
    expect(bo.body).toContain('<html lang="bo">');
    expect(bo.body).toContain(s('bo', 'status.scheduled'));
    expect(bo.body).not.toContain(s('zh-CN', 'status.scheduled'));
    // 02:00 in Lhasa, that day.
    expect(bo.body).toContain(`${LATER_DAY} 02:00`);

    const header = await get(`/admin/campaigns/${id}`, cookies.pema, {
      'accept-language': 'en-US,bo;q=0.9,zh-CN;q=0.8',
    });
    expect(header.body).toContain('<html lang="bo">');
    // The district in Tibetan (the glossary's name).
    expect(header.body).toContain('ཁྲིན་ཀོན་ཆུས');
    expect(
      (await get(`/admin/campaigns/${id}?lang=zh-CN`, cookies.pema, { 'accept-language': 'bo' }))
        .body,
    ).toContain('<html lang="zh-CN">');

    expect(pageLang(undefined, 'zh-TW,bo;q=0.5')).toBe('zh-CN');
    expect(pageLang(undefined, 'en;q=1,bo-CN;q=0.2,zh;q=0.1')).toBe('bo');
    expect(pageLang('fr', 'fr,en')).toBe('zh-CN');
  });

  it('shows actions and the new-campaign link to an administrator only', async () => {
    const admin = await get(`/admin/campaigns/${id}`, cookies.pema);
    expect(admin.body).toContain('id="cancel"');
    expect(admin.body).toContain('id="test-form"');
    expect((await get('/admin/campaigns', cookies.pema)).body).toContain(
      'href="/admin/campaigns/new',
    );

    const supervisor = await get(`/admin/campaigns/${id}`, cookies.sonam);
    expect(supervisor.statusCode).toBe(200);
    expect(supervisor.body).not.toMatch(/id="(approve|cancel|test-form)"/);
    expect((await get('/admin/campaigns', cookies.sonam)).body).not.toContain(
      'href="/admin/campaigns/new',
    );
  });

  it('answers 404 with a page for an unknown or malformed campaign', async () => {
    for (const bad of ['0123456789abcdef01234567', 'nope', '%3Cb%3E']) {
      const res = await get(`/admin/campaigns/${bad}`, cookies.pema);
      expect(res.statusCode, bad).toBe(404);
      expect(res.body).toContain(s('zh-CN', 'notFound'));
      expect(res.body).not.toContain('<b>');
    }
  });
});
