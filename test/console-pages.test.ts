/**
 * The counsellor console over HTTP (inject): behind the admin login, by role, in one language at
 * a time, strict CSP, everything a person wrote escaped. Cases are opened on the handoff service
 * itself; the browser test drives the pages for real (test/console-pages.e2e.test.ts).
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseModels } from '../src/handoff/case.model.js';
import { lhasaMonth } from '../src/lib/lhasa-time.js';
import { startTestApp, type TestApp } from './support/app.js';
import { sessionCookie } from './support/admin-session.js';

const ADMIN_TOKEN = 'console-pages-admin-token-0123456789';
const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const PASSWORD = 'a long enough password';
const EVIL = '<script>alert(1)</script>找工作 "&\'';
const EVIL_HTML = '&#60;script&#62;alert(1)&#60;/script&#62;找工作 &#34;&#38;&#39;';
/** 4,000 characters of Tibetan with markup in the middle. */
const LONG_BO = `${'ང་ལ་ལས་ཀ་ཞིག་དགོས། '.repeat(190)}</textarea><b>`.slice(0, 4000);
const NAME = '卓玛 <i>老师</i>';

describe('counsellor console pages (HTTP)', () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const cases = { zh: '', bo: '' };
  const people = { zh: new Types.ObjectId().toHexString(), bo: new Types.ObjectId().toHexString() };
  const s = (lang: 'zh-CN' | 'bo', key: string, params?: Record<string, string | number>) =>
    t.deps.translator.t(lang, `admin:console.${key}`, params);
  const get = (url: string, cookie?: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { ...(cookie ? { cookie } : {}), ...headers } });
  /** The rows of the open cases, in the page's order. */
  const rowIds = (body: string) =>
    [...body.matchAll(/<tr data-case-id="([0-9a-f]{24})"/g)].map((m) => m[1]);

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
    for (const [username, role, extra] of [
      ['pema', 'admin', {}],
      ['sonam', 'supervisor', {}],
      ['dolma', 'counsellor', { displayName: NAME, languages: ['zh-CN', 'bo'] }],
      ['tenzin', 'counsellor', { displayName: '丹增', languages: ['bo'] }],
    ] as const) {
      const made = await t.app.inject({
        method: 'POST',
        url: '/api/admin/accounts',
        headers: asAdmin,
        payload: { username, role, password: PASSWORD, ...extra },
      });
      expect(made.statusCode, username).toBe(201);
      ids[username] = made.json<{ id: string }>().id;
      const login = await t.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username, password: PASSWORD }).toString(),
      });
      cookies[username] = sessionCookie(login);
    }
    const service = t.deps.handoff.service;
    const now = Date.now();
    // Chinese, waiting 95 minutes (only Dolma speaks Chinese); Tibetan distress, 5 minutes
    // (Tenzin has no case yet, so it goes to him).
    cases.zh = (
      await service.open({
        personId: people.zh,
        channel: 'web',
        chatId: 'web-zh',
        lang: 'zh-CN',
        reason: 'not-understood',
        now: new Date(now - 95 * 60_000),
      })
    ).caseId;
    cases.bo = (
      await service.open({
        personId: people.bo,
        channel: 'telegram',
        chatId: '777',
        lang: 'bo',
        reason: 'distress',
        now: new Date(now - 5 * 60_000),
      })
    ).caseId;
    const { Case } = caseModels(t.deps.mongo);
    await Case.updateOne(
      { _id: cases.zh },
      {
        $set: {
          escalatedAt: new Date(now - 10 * 60_000),
          'summary.topics': [EVIL, 'unemployment-registration'],
          'summary.answered': 2,
          'summary.unanswered': 1,
          'summary.unansweredQuestions': [EVIL],
        },
      },
    );
    await service.forward(cases.zh, { text: EVIL, at: new Date(now - 60_000) });
    await service.forward(cases.zh, {
      text: '语音',
      at: new Date(now - 50_000),
      mediaUrl: '/media/voice-1.amr',
    });
    await service.forward(cases.zh, {
      text: '图片',
      at: new Date(now - 40_000),
      mediaUrl: 'javascript:alert(2)',
    });
    await t.deps.messages.append(people.zh, 'web', [
      { from: 'person', text: LONG_BO, at: new Date(now - 100 * 60_000) },
      { from: 'assistant', text: '请问您想了解哪方面？', at: new Date(now - 99 * 60_000) },
    ]);
  });
  afterAll(() => t.close());

  it('sends a visitor without a session to the login, with the page to come back to', async () => {
    for (const url of [
      '/counsellor',
      '/counsellor?language=bo&mine=1',
      `/counsellor/cases/${cases.zh}?lang=bo`,
      '/counsellor/reports?month=2025-01',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location, url).toBe(`/admin/login?next=${encodeURIComponent(url)}`);
    }
    expect((await get('/counsellor', 'lamton_admin=forged')).statusCode).toBe(302);
  });

  it('lets every staff role work cases, and only administrators and supervisors see reports', async () => {
    for (const who of ['pema', 'sonam', 'dolma']) {
      expect((await get('/counsellor', cookies[who])).statusCode, who).toBe(200);
      expect((await get(`/counsellor/cases/${cases.zh}`, cookies[who])).statusCode, who).toBe(200);
    }
    const refused = await get('/counsellor/reports', cookies.dolma);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toContain(s('zh-CN', 'forbidden'));
    expect(refused.body).toContain('role="alert"');
    expect((await get('/counsellor/reports', cookies.sonam)).statusCode).toBe(200);
    expect((await get('/counsellor/reports', cookies.pema)).statusCode).toBe(200);
    // The link to the reports only where they open.
    expect((await get('/counsellor', cookies.dolma)).body).not.toContain('/counsellor/reports');
    expect((await get('/counsellor', cookies.sonam)).body).toContain(
      'href="/counsellor/reports?lang=zh-CN"',
    );
  });

  it('lists open cases longest-waiting first, with both markers, filtered by language and owner', async () => {
    const all = await get('/counsellor', cookies.dolma);
    expect(rowIds(all.body)).toEqual([cases.zh, cases.bo]);
    const rows = all.body.split('<tr data-case-id=').slice(1);
    const [zhRow = '', boRow = ''] = rows;
    expect(zhRow).toContain(s('zh-CN', 'waited.hours', { h: 1, m: 35 }));
    expect(zhRow).toContain(s('zh-CN', 'reason.not-understood'));
    expect(zhRow).toContain(s('zh-CN', 'channel.web'));
    expect(zhRow).toContain('卓玛 &#60;i&#62;老师&#60;/i&#62;');
    expect(zhRow).toContain(`class="flag escalated">${s('zh-CN', 'escalated')}`);
    expect(zhRow).not.toContain('flag distress');
    expect(boRow).toMatch(/^"[0-9a-f]{24}" class="distress"/);
    expect(boRow).toContain(`class="flag distress">⚠ ${s('zh-CN', 'distress')}`);
    expect(boRow).toContain(s('zh-CN', 'reason.distress'));
    expect(boRow).toContain(s('zh-CN', 'lang.bo'));
    expect(boRow).toContain('丹增');
    expect(boRow).toContain(s('zh-CN', 'waited.minutes', { n: 5 }));
    expect(boRow).toContain(`href="/counsellor/cases/${cases.bo}?lang=zh-CN"`);

    expect(rowIds((await get('/counsellor?language=bo', cookies.dolma)).body)).toEqual([cases.bo]);
    expect(rowIds((await get('/counsellor?language=zh-CN', cookies.dolma)).body)).toEqual([
      cases.zh,
    ]);
    expect(rowIds((await get('/counsellor?mine=1', cookies.dolma)).body)).toEqual([cases.zh]);
    expect(rowIds((await get('/counsellor?mine=1', cookies.tenzin)).body)).toEqual([cases.bo]);
    const none = await get('/counsellor?mine=1&language=zh-CN', cookies.tenzin);
    expect(rowIds(none.body)).toEqual([]);
    expect(none.body).toMatch(/<p class="muted" id="cases-empty">/);
    // The filter shows as chosen, and the script gets it.
    const mine = (await get('/counsellor?language=bo&mine=1', cookies.tenzin)).body;
    expect(mine).toContain('<option value="bo" lang="bo" selected>');
    expect(mine).toContain('name="mine" value="1" checked');
    expect(mine).toContain('"filter":{"language":"bo","mine":true}');
  });

  it('shows the summary first, then the thread and transcript, all escaped', async () => {
    const res = await get(`/counsellor/cases/${cases.zh}`, cookies.dolma);
    expect(res.statusCode).toBe(200);
    const page = res.body;
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('</textarea><b>');
    expect(page).toContain('&#60;/textarea&#62;&#60;b&#62;');
    const summary = page.indexOf('id="summary"');
    const thread = page.indexOf('id="thread"');
    const transcript = page.indexOf('id="transcript"');
    expect(summary).toBeGreaterThan(0);
    expect(thread).toBeGreaterThan(summary);
    expect(transcript).toBeGreaterThan(thread);
    // The summary: topics, counts, the unanswered question, distress, language, channel.
    const box = page.slice(summary, thread);
    expect(box).toContain(`<span class="topic">${EVIL_HTML}</span>`);
    expect(box).toContain('<span class="topic">unemployment-registration</span>');
    expect(box).toMatch(/id="s-answered">2</);
    expect(box).toMatch(/id="s-unanswered">1</);
    expect(box).toContain(`<li lang="zh-CN">${EVIL_HTML}</li>`);
    expect(box).toContain(`id="s-distress">${s('zh-CN', 'summary.no')}`);
    expect(box).toContain(`id="s-language">${s('zh-CN', 'lang.zh-CN')}`);
    expect(box).toContain(`id="s-channel">${s('zh-CN', 'channel.web')}`);
    // The thread: the person's lines, escaped; a media link only when it is a safe one.
    const lines = page.slice(thread, transcript);
    expect(lines).toContain(EVIL_HTML);
    expect(lines).toContain(`data-from="person"`);
    expect(lines).toContain(`<span class="who">${s('zh-CN', 'from.person')}</span>`);
    expect(lines).toContain('href="/media/voice-1.amr"');
    expect(lines).not.toContain('javascript:');
    // The transcript: 4,000 characters of Tibetan, whole, and the assistant's line.
    const log = page.slice(transcript);
    expect(log).toContain(`<div class="text" lang="bo">${LONG_BO.replace('</textarea><b>', '')}`);
    expect(log).toContain(`data-from="assistant"`);
    // The form, the follow-up and the close button are there for a case not closed.
    expect(page).toContain('id="reply-form"');
    expect(page).toContain('<input id="fu-at" name="at" type="datetime-local">');
    expect(page).toMatch(/<button type="button" id="close-case" class="danger">/);
    // The script's copy of the case cannot close its element either.
    const json = /<script type="application\/json" id="page-data">([^<]*)<\/script>/.exec(page);
    expect(json?.[1]).toContain('\\u003cscript\\u003ealert(1)');
    const data = JSON.parse(json![1]!) as { case: { thread: { text: string }[] } };
    expect(data.case.thread.map((l) => l.text)).toEqual([EVIL, '语音', '图片']);

    const distress = (await get(`/counsellor/cases/${cases.bo}`, cookies.dolma)).body;
    expect(distress).toContain(`class="flag distress">⚠ ${s('zh-CN', 'distress')}`);
  });

  it('serves the pages with a strict CSP: own script and style only, no inline handlers', async () => {
    for (const url of ['/counsellor', `/counsellor/cases/${cases.zh}`, '/counsellor/reports']) {
      const res = await get(url, cookies.pema);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(res.body, url).not.toMatch(/\son[a-z]+=|https?:\/\/|<style|style=/);
      expect(res.body, url).not.toMatch(/<script>|<script (?!src=|type="application\/json")/);
    }
    const page = (await get('/counsellor', cookies.pema)).body;
    const src = /<script src="([^"]+)"/.exec(page)?.[1];
    expect(src).toMatch(/^\/admin\/assets\/console\.js\?v=/);
    const js = await get(src!);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain('/api/admin/cases');
    expect(js.body).not.toContain('innerHTML');
    const css = await get(/<link rel="stylesheet" href="([^"]+)"/.exec(page)![1]!);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain('noto-serif-tibetan');
    expect(css.body).toContain('.flag.distress');
    expect(
      (await get('/admin/assets/console.css', undefined, { 'if-none-match': css.headers.etag! }))
        .statusCode,
    ).toBe(304);
  });

  it('speaks the language asked for: ?lang=, else Accept-Language, else Chinese', async () => {
    const zh = await get('/counsellor', cookies.dolma);
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(zh.body).toContain(`<h1>${s('zh-CN', 'queue.title')}</h1>`);
    expect(zh.body).toContain('href="/counsellor?lang=bo"');

    const bo = await get('/counsellor?lang=bo', cookies.dolma);
    expect(bo.body).toContain('<html lang="bo">');
    expect(bo.body).toContain(`<h1>${s('bo', 'queue.title')}</h1>`);
    for (const key of ['reason.distress', 'reason.not-understood', 'distress', 'escalated'])
      expect(bo.body, key).toContain(s('bo', key));
    for (const key of ['queue.title', 'reason.distress', 'field.waiting', 'escalated'])
      expect(bo.body, key).not.toContain(s('zh-CN', key));
    expect(bo.body).toContain(s('bo', 'waited.hours', { h: 1, m: 35 }));
    expect(bo.body).toContain(`href="/counsellor/cases/${cases.zh}?lang=bo"`);
    // The script gets the Tibetan strings.
    expect(bo.body).toContain(`"reply.send":"${s('bo', 'reply.send')}"`);

    const header = await get(`/counsellor/cases/${cases.bo}`, cookies.dolma, {
      'accept-language': 'en-US,bo;q=0.9,zh-CN;q=0.8',
    });
    expect(header.body).toContain('<html lang="bo">');
    expect(header.body).toContain(s('bo', 'summary.title'));
    expect(header.body).toContain(s('bo', 'close.button'));
    expect(
      (
        await get(`/counsellor/cases/${cases.bo}?lang=zh-CN`, cookies.dolma, {
          'accept-language': 'bo',
        })
      ).body,
    ).toContain(`<h2>${s('zh-CN', 'summary.title')}</h2>`);
  });

  it('answers 404 with a page for an unknown or malformed case', async () => {
    for (const bad of ['0123456789abcdef01234567', 'nope', '%3Cb%3E']) {
      const res = await get(`/counsellor/cases/${bad}`, cookies.dolma);
      expect(res.statusCode, bad).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain(s('zh-CN', 'notFound'));
      expect(res.body).not.toContain('<b>');
    }
  });

  it('lists open complaints past their deadline with the reports, escaped, for supervisors', async () => {
    const before = await get('/counsellor/reports', cookies.sonam);
    expect(before.body).toContain(s('zh-CN', 'complaints.none'));
    const ticket = await t.deps.handoff.complaints.create({
      personId: people.zh,
      channel: 'web',
      chatId: 'complainer',
      lang: 'zh-CN',
      text: '<script>alert(1)</script> 窗口让我等了三个小时',
      caseId: null,
      now: new Date(Date.now() - 30 * 86_400_000),
    });
    const fresh = await t.deps.handoff.complaints.create({
      personId: people.zh,
      channel: 'web',
      chatId: 'complainer',
      lang: 'zh-CN',
      text: '刚刚提交的投诉',
      caseId: null,
      now: new Date(),
    });
    const res = await get('/counsellor/reports?lang=bo', cookies.sonam);
    const table = res.body.split('id="complaints"')[1] ?? '';
    expect(table).toContain(ticket);
    expect(table).not.toContain(fresh);
    expect(table).toContain('&#60;script&#62;');
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain(s('bo', 'complaints.title'));
    // Resolved, it leaves the list.
    await t.deps.handoff.complaints.resolve(ticket, '已处理', new Date());
    expect((await get('/counsellor/reports', cookies.sonam)).body).not.toContain(ticket);
  });

  it('reports satisfaction per counsellor for a month, this month by default', async () => {
    const service = t.deps.handoff.service;
    const now = new Date();
    expect(await service.close(cases.zh, 'counsellor', now)).toBe('ok');
    expect(await service.rate(cases.zh, people.zh, 4, now)).toBe(true);
    expect(await service.close(cases.bo, 'counsellor', now)).toBe('ok');
    const month = lhasaMonth(now);

    const res = await get('/counsellor/reports', cookies.sonam);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<input id="m-month" name="month" type="month" value="${month}"`);
    const rows = res.body.split('<tr>').slice(2);
    expect(rows).toHaveLength(2);
    const dolma = rows.find((r) => r.includes('卓玛')) ?? '';
    expect(dolma).toContain('卓玛 &#60;i&#62;老师&#60;/i&#62;');
    expect([...dolma.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
      '1',
      '1',
      '4.00',
    ]);
    const tenzin = rows.find((r) => r.includes('丹增')) ?? '';
    expect([...tenzin.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
      '1',
      '0',
      '—',
    ]);
    expect((await get(`/counsellor/reports?month=${month}&lang=bo`, cookies.pema)).body).toContain(
      s('bo', 'reports.average'),
    );

    const other = await get('/counsellor/reports?month=2001-01', cookies.pema);
    expect(other.body).toContain(
      `<p class="muted" id="report-empty">${s('zh-CN', 'reports.empty')}`,
    );
    expect(other.body).toContain('value="2001-01"');
    // A month that is not one: this month, never an error page.
    const bad = await get('/counsellor/reports?month=%3Cb%3E', cookies.pema);
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain(`value="${month}"`);

    // Closed cases leave the open list.
    expect(rowIds((await get('/counsellor', cookies.dolma)).body)).toEqual([]);
  });
});
