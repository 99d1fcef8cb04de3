/**
 * Job postings (issue 13, "Jobs"): the admin API, its page and the CSV import, on the real app
 * (real FerretDB and Redis) with the jobs mounted behind the admin API's authentication.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditRepo } from '../src/audit/audit.repo.js';
import { jobsImport, type JobsImportIo } from '../src/jobs/import-cli.js';
import type { JobEvent, JobView } from '../src/jobs/index.js';
import { jobModel } from '../src/jobs/job.model.js';
import type { JobRepo } from '../src/jobs/job.repo.js';
import { sessionCookie } from './support/admin-session.js';
import { testMongoUri } from './support/app.js';
import { startJobsApp, type JobsTestApp } from './support/jobs.js';

const ADMIN_TOKEN = 'jobs-test-admin-token-0123456789';
const PASSWORD = 'a long enough password';
const DAY = 24 * 60 * 60 * 1000;
const EVIL = '<script>alert(1)</script>保安 "&\'';

const body = (over: Record<string, unknown> = {}) => ({
  title: '保安',
  employer: '拉萨某物业公司',
  district: '城关区',
  category: 'security',
  description: '夜班，包住宿。',
  contact: '0891-1234567',
  ...over,
});

type Json = Record<string, unknown>;

describe('job postings', () => {
  let t: JobsTestApp;
  /** The app's clock runs `shift` ms ahead of the real one (expiry without waiting). */
  let shift = 0;
  const now = () => new Date(Date.now() + shift);
  const tokens: Record<string, string> = { admin: ADMIN_TOKEN };
  const cookies: Record<string, string> = {};
  const events: JobEvent[] = [];

  const api = async (method: string, url: string, payload?: unknown, who = 'admin') => {
    const token = tokens[who];
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as Json } : {}),
    });
    return { status: res.statusCode, body: res.json<Json>() };
  };
  const post = async (payload: unknown, who = 'admin') => {
    const res = await api('POST', '/api/admin/jobs', payload, who);
    return { ...res, job: res.body as unknown as JobView };
  };
  const page = (url: string, who = 'pema', headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { cookie: cookies[who] ?? '', ...headers } });
  const form = (
    url: string,
    fields: Record<string, string> | [string, string][],
    who = 'pema',
    origin?: string,
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: cookies[who] ?? '',
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin ? { origin } : {}),
      },
      payload: new URLSearchParams(fields).toString(),
    });

  beforeAll(async () => {
    t = await startJobsApp({ ADMIN_TOKEN }, { listen: false, now });
    t.jobs.onPosted(async (e) => {
      events.push(e);
    });
    for (const [username, role] of [
      ['pema', 'admin'],
      ['sonam', 'supervisor'],
      ['lhamo', 'counsellor'],
    ] as const) {
      const made = await api('POST', '/api/admin/accounts', { username, role, password: PASSWORD });
      expect(made.status, username).toBe(201);
      const token = await api('POST', `/api/admin/accounts/${String(made.body.id)}/tokens`, {
        name: 'test',
      });
      tokens[username] = String(token.body.token);
      const login = await t.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username, password: PASSWORD }).toString(),
      });
      cookies[username] = sessionCookie(login);
    }
  });
  afterAll(() => t.close());

  describe('the admin API', () => {
    it('posts a job with a Chinese title: 201, open for 30 days, reach 0, from the API', async () => {
      const before = events.length;
      const { status, job } = await post(body());
      expect(status).toBe(201);
      expect(job).toMatchObject({
        title: { 'zh-CN': '保安' },
        employer: '拉萨某物业公司',
        district: '城关区',
        category: 'security',
        description: { 'zh-CN': '夜班，包住宿。' },
        contact: '0891-1234567',
        status: 'open',
        createdBy: 'admin',
        reach: { alerted: 0, recommended: 0 },
        source: { kind: 'api' },
      });
      expect(job.id).toMatch(/^[0-9a-f]{24}$/);
      expect(job.title.bo).toBeUndefined();
      const open = Date.parse(job.expiresAt) - Date.parse(job.createdAt);
      expect(open).toBe(30 * DAY);
      const read = await api('GET', `/api/admin/jobs/${job.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(job);
      expect(events.slice(before)).toEqual([{ jobId: job.id, change: 'created' }]);
    });

    it('posts a bilingual title and description, and a given expiry', async () => {
      const expiresAt = new Date(now().getTime() + 10 * DAY).toISOString();
      const { status, job } = await post(
        body({
          title: { 'zh-CN': '厨房帮工', bo: 'ཐབ་ཚང་གི་ལས་རོགས' },
          description: { 'zh-CN': '白班', bo: 'ཉིན་མོའི་ལས་ཀ' },
          district: '堆龙德庆区',
          category: undefined,
          expiresAt,
        }),
      );
      expect(status).toBe(201);
      expect(job.title).toEqual({ 'zh-CN': '厨房帮工', bo: 'ཐབ་ཚང་གི་ལས་རོགས' });
      expect(job.description).toEqual({ 'zh-CN': '白班', bo: 'ཉིན་མོའི་ལས་ཀ' });
      expect(job.category).toBeNull();
      expect(job.expiresAt).toBe(expiresAt);
      // A date alone is the end of that day in Lhasa.
      const dated = await post(body({ expiresAt: '2099-01-31' }));
      expect(dated.status).toBe(400); // more than a year ahead
      const day = new Date(now().getTime() + 5 * DAY + 8 * 3600_000).toISOString().slice(0, 10);
      const ok = await post(body({ expiresAt: day }));
      expect(ok.job.expiresAt).toBe(new Date(`${day}T23:59:59.999+08:00`).toISOString());
    });

    it('answers every invalid field with 400 naming it', async () => {
      const past = new Date(now().getTime() - 60_000).toISOString();
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [body({ title: undefined }), 'title', /required/],
        [body({ title: '' }), 'title.zh-CN', /required/],
        [body({ title: 'སྲུང་སྐྱོབ་པ' }), 'title.zh-CN', /Chinese/],
        [body({ title: { 'zh-CN': '保安', bo: '保安' } }), 'title.bo', /Tibetan/],
        [body({ title: { bo: 'སྲུང་སྐྱོབ་པ' } }), 'title.zh-CN', /required/],
        [body({ title: '保'.repeat(101) }), 'title.zh-CN', /at most 100/],
        [body({ title: 42 }), 'title', /expected/],
        [body({ employer: undefined }), 'employer', /required/],
        [body({ employer: '某'.repeat(101) }), 'employer', /at most 100/],
        [body({ district: '北京' }), 'district', /expected one of 城关区/],
        [body({ district: undefined }), 'district', /required/],
        [body({ category: 'Security Guard' }), 'category', /slug/],
        [body({ description: undefined }), 'description', /required/],
        [body({ description: '长'.repeat(2001) }), 'description.zh-CN', /at most 2000/],
        [body({ contact: '   ' }), 'contact', /required/],
        [body({ contact: '1'.repeat(201) }), 'contact', /at most 200/],
        [body({ expiresAt: 'tomorrow' }), 'expiresAt', /expected a date/],
        [body({ expiresAt: past }), 'expiresAt', /in the past/],
        [body({ salary: 5000 }), 'salary', /salary/],
      ];
      for (const [payload, path, message] of cases) {
        const res = await api('POST', '/api/admin/jobs', payload);
        expect(res.status, path).toBe(400);
        expect(res.body.error, path).toBe('validation');
        const details = res.body.details as { path: string; message: string }[];
        expect(
          details.some((d) => d.path === path && message.test(d.message)),
          `${path}: ${JSON.stringify(details)}`,
        ).toBe(true);
      }
    });

    it('lists newest first, pages by cursor without gaps, filters by status and district', async () => {
      for (const district of ['达孜区', '林周县', '达孜区', '当雄县', '达孜区'])
        expect((await post(body({ district, title: `${district}保安` }))).status).toBe(201);
      const all = await api('GET', '/api/admin/jobs?limit=100');
      const items = all.body.items as JobView[];
      expect(items.length).toBeGreaterThanOrEqual(8);
      const created = items.map((j) => Date.parse(j.createdAt));
      expect(created).toEqual([...created].sort((a, b) => b - a));

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api('GET', `/api/admin/jobs?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        paged.push(...(res.body.items as JobView[]).map((j) => j.id));
        cursor = res.body.nextCursor as string | null;
      } while (cursor);
      expect(paged).toEqual(items.map((j) => j.id));

      const dazi = await api('GET', `/api/admin/jobs?district=${encodeURIComponent('达孜区')}`);
      expect((dazi.body.items as JobView[]).map((j) => j.district)).toEqual([
        '达孜区',
        '达孜区',
        '达孜区',
      ]);
      const dazi2 = await api(
        'GET',
        `/api/admin/jobs?district=${encodeURIComponent('达孜区')}&limit=2`,
      );
      expect(dazi2.body.items as JobView[]).toHaveLength(2);
      expect(dazi2.body.nextCursor).toBe((dazi2.body.items as JobView[])[1]?.id);

      for (const [query, path] of [
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['status=deleted', 'status'],
        ['district=Beijing', 'district'],
        ['cursor=../../etc', 'cursor'],
      ]) {
        const res = await api('GET', `/api/admin/jobs?${query}`);
        expect(res.status, query).toBe(400);
        expect(
          (res.body.details as { path: string }[]).map((d) => d.path),
          query,
        ).toContain(path);
      }
    });

    it('edits a posting: fields change, a new title replaces the old whole, audited', async () => {
      const { job } = await post(body({ title: { 'zh-CN': '门卫', bo: 'སྒོ་སྲུང་བ' } }));
      const before = events.length;
      const edited = await api(
        'PATCH',
        `/api/admin/jobs/${job.id}`,
        { title: '门卫（夜班）', contact: '0891-7654321', category: null },
        'sonam',
      );
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        title: { 'zh-CN': '门卫（夜班）' },
        contact: '0891-7654321',
        category: null,
        employer: job.employer,
        updatedBy: 'sonam',
        status: 'open',
      });
      expect((edited.body.title as Json).bo).toBeUndefined();
      expect(events.slice(before)).toEqual([{ jobId: job.id, change: 'updated' }]);

      expect((await api('PATCH', `/api/admin/jobs/${job.id}`, {})).status).toBe(400);
      const past = await api('PATCH', `/api/admin/jobs/${job.id}`, {
        expiresAt: new Date(now().getTime() - DAY).toISOString(),
      });
      expect(past.status).toBe(400);
      expect(past.body.details).toEqual([{ path: 'expiresAt', message: 'in the past' }]);
      for (const id of ['0123456789abcdef01234567', 'nope', '../x'])
        expect((await api('PATCH', `/api/admin/jobs/${id}`, { contact: 'x' })).status, id).toBe(
          404,
        );
    });

    it('closes a posting: 200 closed, then 409 for closing or editing again; 404 unknown', async () => {
      const { job } = await post(body());
      const closed = await api('POST', `/api/admin/jobs/${job.id}/close`, undefined, 'sonam');
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', closedBy: 'sonam' });
      expect(events.at(-1)).toEqual({ jobId: job.id, change: 'closed' });
      expect((await api('POST', `/api/admin/jobs/${job.id}/close`)).status).toBe(409);
      expect((await api('PATCH', `/api/admin/jobs/${job.id}`, { contact: 'x' })).status).toBe(409);
      const list = await api('GET', '/api/admin/jobs?status=closed');
      expect((list.body.items as JobView[]).map((j) => j.id)).toContain(job.id);
      expect((await api('GET', '/api/admin/jobs/0123456789abcdef01234567')).status).toBe(404);
      expect((await api('GET', '/api/admin/jobs/not-an-id')).status).toBe(404);
      expect((await api('POST', '/api/admin/jobs/not-an-id/close')).status).toBe(404);
    });

    it('reads a posting past its expiry as expired; a later expiry opens it again', async () => {
      const { job } = await post(
        body({ expiresAt: new Date(now().getTime() + DAY).toISOString() }),
      );
      const open = await api('GET', '/api/admin/jobs?status=open&limit=100');
      expect((open.body.items as JobView[]).map((j) => j.id)).toContain(job.id);
      shift += 2 * DAY;
      try {
        expect((await api('GET', `/api/admin/jobs/${job.id}`)).body.status).toBe('expired');
        const expired = await api('GET', '/api/admin/jobs?status=expired&limit=100');
        expect((expired.body.items as JobView[]).map((j) => j.id)).toContain(job.id);
        const stillOpen = await api('GET', '/api/admin/jobs?status=open&limit=100');
        expect((stillOpen.body.items as JobView[]).map((j) => j.id)).not.toContain(job.id);
        const later = await api('PATCH', `/api/admin/jobs/${job.id}`, {
          expiresAt: new Date(now().getTime() + 3 * DAY).toISOString(),
        });
        expect(later.body.status).toBe('open');
      } finally {
        shift -= 2 * DAY;
      }
    });

    it('lets admins and supervisors post; counsellors only read; no token is 401', async () => {
      const bySupervisor = await post(body(), 'sonam');
      expect(bySupervisor.status).toBe(201);
      expect(bySupervisor.job.createdBy).toBe('sonam');
      const id = bySupervisor.job.id;
      expect((await post(body(), 'lhamo')).status).toBe(403);
      expect((await api('PATCH', `/api/admin/jobs/${id}`, { contact: 'x' }, 'lhamo')).status).toBe(
        403,
      );
      expect((await api('POST', `/api/admin/jobs/${id}/close`, undefined, 'lhamo')).status).toBe(
        403,
      );
      expect((await api('GET', '/api/admin/jobs', undefined, 'lhamo')).status).toBe(200);
      expect((await api('GET', `/api/admin/jobs/${id}`, undefined, 'lhamo')).status).toBe(200);
      for (const [method, url] of [
        ['POST', '/api/admin/jobs'],
        ['GET', '/api/admin/jobs'],
        ['GET', `/api/admin/jobs/${id}`],
        ['PATCH', `/api/admin/jobs/${id}`],
        ['POST', `/api/admin/jobs/${id}/close`],
      ] as const) {
        const res = await api(method, url, method === 'GET' ? undefined : body(), 'nobody');
        expect(res.status, `${method} ${url}`).toBe(401);
        tokens.forged = 'lmt_forged';
        expect((await api(method, url, undefined, 'forged')).status).toBe(401);
      }
      // A cross-site request with the admin cookie is refused before anything is done.
      const cross = await t.app.inject({
        method: 'POST',
        url: '/api/admin/jobs',
        headers: { cookie: cookies.pema ?? '', origin: 'https://evil.example' },
        payload: body(),
      });
      expect(cross.statusCode).toBe(403);
    });

    it('audits each change with the acting account', async () => {
      const { job } = await post(body(), 'sonam');
      await api('PATCH', `/api/admin/jobs/${job.id}`, { contact: '0891-1' }, 'pema');
      await api('POST', `/api/admin/jobs/${job.id}/close`);
      const trail = await t.deps.audit.forTarget(`job:${job.id}`);
      expect(trail.map((e) => [e.action, e.actor]).reverse()).toEqual([
        ['job.create', 'sonam'],
        ['job.update', 'pema'],
        ['job.close', 'admin'],
      ]);
      expect(trail.find((e) => e.action === 'job.update')?.details).toEqual({
        fields: ['contact'],
      });
    });

    it('keeps a posting when a listener fails', async () => {
      t.jobs.onPosted(async () => {
        throw new Error('queue away');
      });
      const { status, job } = await post(body());
      expect(status).toBe(201);
      expect((await api('GET', `/api/admin/jobs/${job.id}`)).status).toBe(200);
    });
  });

  describe('hostile input', () => {
    it('refuses huge strings and bodies with 4xx, never 500', async () => {
      const huge = await api('POST', '/api/admin/jobs', body({ title: '保'.repeat(50_000) }));
      expect(huge.status).toBe(400);
      expect((huge.body.details as { path: string }[])[0]?.path).toBe('title.zh-CN');
      const tooBig = await api(
        'POST',
        '/api/admin/jobs',
        body({ description: 'x'.repeat(400_000) }),
      );
      expect(tooBig.status).toBe(413);
      const deep = (n: number): unknown => (n === 0 ? '保安' : { 'zh-CN': deep(n - 1) });
      expect((await api('POST', '/api/admin/jobs', body({ title: deep(500) }))).status).toBe(400);
      for (const raw of ['{', 'null', '[]', '"保安"']) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/admin/jobs',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          payload: raw,
        });
        expect(res.statusCode, raw).toBe(400);
      }
    });

    it('refuses prototype-pollution keys and pollutes nothing', async () => {
      for (const raw of [
        `{"__proto__":{"polluted":true},${JSON.stringify(body()).slice(1)}`,
        `{"constructor":{"prototype":{"polluted":true}},${JSON.stringify(body()).slice(1)}`,
        JSON.stringify(body({ title: { 'zh-CN': '保安', constructor: 'x' } })),
      ]) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/admin/jobs',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          payload: raw,
        });
        expect(res.statusCode, raw.slice(0, 40)).toBe(400);
      }
      expect(({} as Json).polluted).toBeUndefined();
      const viaForm = await form('/admin/jobs', [
        ['__proto__', 'x'],
        ['constructor', 'y'],
        ['title', '保安'],
      ]);
      expect(viaForm.statusCode).toBe(400);
      expect(({} as Json).polluted).toBeUndefined();
    });

    it('stores markup as text, drops control and bidi characters', async () => {
      const { status, job } = await post(
        body({ title: EVIL, employer: 'A\u0000B\u202EC', description: '第一行\r\n第二行' }),
      );
      expect(status).toBe(201);
      expect(job.title['zh-CN']).toBe(EVIL);
      expect(job.employer).toBe('ABC');
      expect(job.description['zh-CN']).toBe('第一行\n第二行');
    });
  });

  describe('the page', () => {
    it('lists postings with status and reach, in Chinese and in Tibetan, markup escaped', async () => {
      const evil = await post(body({ title: EVIL }));
      const bo = await post(
        body({ title: { 'zh-CN': '仓库管理员', bo: 'མཛོད་ཁང་དོ་དམ་པ' }, district: '曲水县' }),
      );
      await t.jobs.repo.addReach(bo.job.id, 'alerted', 7);
      const zh = await page('/admin/jobs?lang=zh-CN');
      expect(zh.statusCode).toBe(200);
      expect(zh.headers['content-type']).toMatch(/^text\/html/);
      expect(String(zh.headers['content-security-policy'])).toContain("default-src 'none'");
      expect(zh.body).toContain('<html lang="zh-CN">');
      expect(zh.body).toContain(t.deps.translator.t('zh-CN', 'jobs:form.title'));
      expect(zh.body).toContain('id="job-form"');
      expect(zh.body).not.toContain('<script>alert(1)');
      expect(zh.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;保安 &#34;&#38;&#39;');
      expect(zh.body).toMatch(new RegExp(`data-id="${bo.job.id}"[\\s\\S]*?class="num reach">7<`));
      expect(zh.body).toContain('曲水县');
      expect(zh.body).toContain(t.deps.translator.t('zh-CN', 'jobs:status.open'));
      expect(zh.body).toContain(`data-id="${evil.job.id}"`);

      const boPage = await page('/admin/jobs?lang=bo');
      expect(boPage.statusCode).toBe(200);
      expect(boPage.body).toContain('<html lang="bo">');
      expect(boPage.body).toContain(t.deps.translator.t('bo', 'jobs:form.title'));
      expect(boPage.body).toContain('མཛོད་ཁང་དོ་དམ་པ');
      expect(boPage.body).toContain('ཆུ་ཤུར་རྫོང'); // 曲水县
      expect(boPage.body).toContain(t.deps.translator.t('bo', 'jobs:status.open'));
      const css = /<link rel="stylesheet" href="([^"]+)"/.exec(boPage.body)?.[1];
      expect((await t.app.inject({ url: css ?? '' })).statusCode).toBe(200);
    });

    it('sends a visitor to the login, and refuses a counsellor', async () => {
      const none = await t.app.inject({ url: '/admin/jobs?lang=bo' });
      expect(none.statusCode).toBe(302);
      expect(none.headers.location).toBe(
        `/admin/login?next=${encodeURIComponent('/admin/jobs?lang=bo')}`,
      );
      const counsellor = await page('/admin/jobs', 'lhamo');
      expect(counsellor.statusCode).toBe(403);
      expect(counsellor.body).toContain(t.deps.translator.t('zh-CN', 'jobs:forbidden'));
      expect((await form('/admin/jobs', { title: '保安' }, 'lhamo')).statusCode).toBe(403);
    });

    it('posts a job from the form, shows each problem in the page language, refuses other sites', async () => {
      const fields = {
        title: '电工',
        title_bo: 'གློག་བཟོ་བ',
        employer: '某建筑公司',
        district: '尼木县',
        category: 'electrician',
        description: '持电工证',
        description_bo: '',
        contact: '0891-1111111',
        expiresAt: '',
      };
      const made = await form('/admin/jobs?lang=bo', fields, 'sonam');
      expect(made.statusCode).toBe(303);
      expect(made.headers.location).toBe('/admin/jobs?lang=bo&done=posted');
      const list = await api('GET', '/api/admin/jobs?limit=1');
      expect((list.body.items as JobView[])[0]).toMatchObject({
        title: { 'zh-CN': '电工', bo: 'གློག་བཟོ་བ' },
        district: '尼木县',
        createdBy: 'sonam',
        source: { kind: 'api' },
      });
      const shown = await page('/admin/jobs?lang=bo&done=posted', 'sonam');
      expect(shown.body).toContain(t.deps.translator.t('bo', 'jobs:posted'));

      const bad = await form('/admin/jobs?lang=bo', {
        ...fields,
        title: '<b>x</b>',
        district: '',
        contact: '1'.repeat(201),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('data-error-for="title"');
      expect(bad.body).toContain('data-error-for="district"');
      expect(bad.body).toContain('data-error-for="contact"');
      expect(bad.body).toContain(t.deps.translator.t('bo', 'jobs:error.notChinese'));
      expect(bad.body).toContain(t.deps.translator.t('bo', 'jobs:error.tooLong', { n: 200 }));
      expect(bad.body).toContain('value="&#60;b&#62;x&#60;/b&#62;"');

      const before = (await api('GET', '/api/admin/jobs?limit=100')).body.items as JobView[];
      const cross = await form('/admin/jobs', fields, 'pema', 'https://evil.example');
      expect(cross.statusCode).toBe(403);
      const after = (await api('GET', '/api/admin/jobs?limit=100')).body.items as JobView[];
      expect(after.length).toBe(before.length);
    });

    it('closes a posting with its button', async () => {
      const { job } = await post(body());
      const res = await form(`/admin/jobs/${job.id}/close?lang=zh-CN`, {});
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/admin/jobs?lang=zh-CN&done=closed');
      expect((await api('GET', `/api/admin/jobs/${job.id}`)).body.status).toBe('closed');
      expect((await form('/admin/jobs/0123456789abcdef01234567/close', {})).statusCode).toBe(404);
      const closed = await page('/admin/jobs?status=closed');
      expect(closed.body).toContain(`data-id="${job.id}"`);
    });
  });

  describe('CSV import', () => {
    const GOOD =
      '\uFEFF岗位名称,岗位名称（藏文）,用人单位,区县,类别,岗位描述,联系方式,截止日期\r\n' +
      '保安,སྲུང་སྐྱོབ་པ,"拉萨某物业公司, 城关分公司",城关区,security,"夜班，\r\n包住宿",0891-1234567,\r\n' +
      '保洁员,,某酒店,达孜区,cleaning,"负责""客房""清洁",0891-7654321,\r\n' +
      '\r\n' +
      '厨房帮工,,某餐厅,林周县,,白班,"电话：0891-2222222, 王师傅",\r\n';

    const io = (
      files: Record<string, string | Buffer>,
      over: Partial<JobsImportIo> & { repo?: JobRepo } = {},
    ) => {
      const out: string[] = [];
      const err: string[] = [];
      let connected = 0;
      const value: JobsImportIo = {
        readFile: async (path) => {
          const data = files[path];
          if (data === undefined) throw new Error('ENOENT: no such file');
          return Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
        },
        connect: async () => {
          connected++;
          return {
            repo: over.repo ?? t.jobs.repo,
            audit: createAuditRepo(t.deps.mongo),
            close: async () => undefined,
          };
        },
        write: (s) => out.push(s),
        err: (line) => err.push(line),
        tty: false,
        now,
        ...over,
      };
      return { value, out, err, connected: () => connected };
    };
    const byFile = (file: string) => jobModel(t.deps.mongo).find({ 'source.file': file }).lean();

    it('imports a good file (BOM, Chinese headers, quoted commas and line breaks) all at once', async () => {
      const run = io({ 'uploads/good.csv': GOOD });
      expect(await jobsImport(['uploads/good.csv'], run.value)).toBe(0);
      expect(run.err).toEqual([]);
      expect(run.out.at(-1)).toBe('imported 3 of 3\n');
      const docs = await byFile('good.csv');
      expect(docs.map((d) => [d.source.line, d.title['zh-CN'], d.status])).toEqual([
        [2, '保安', 'open'],
        [4, '保洁员', 'open'],
        [6, '厨房帮工', 'open'],
      ]);
      const first = docs[0];
      expect(first?.employer).toBe('拉萨某物业公司, 城关分公司');
      expect(first?.description['zh-CN']).toBe('夜班，\n包住宿');
      expect(first?.title.bo).toBe('སྲུང་སྐྱོབ་པ');
      expect(docs[1]?.description['zh-CN']).toBe('负责"客房"清洁');
      expect(docs[2]?.contact).toBe('电话：0891-2222222, 王师傅');
      expect(new Set(docs.map((d) => d.source.importId)).size).toBe(1);
      expect(docs.every((d) => d.createdBy === 'cli' && d.source.kind === 'csv')).toBe(true);
      const audit = await t.deps.audit.forTarget(`import:${docs[0]?.source.importId}`);
      expect(audit).toMatchObject([{ action: 'job.import', actor: 'cli', details: { count: 3 } }]);
      const listed = await api('GET', '/api/admin/jobs?limit=100');
      expect(
        (listed.body.items as JobView[]).filter((j) => j.source.file === 'good.csv'),
      ).toHaveLength(3);
    });

    it('draws a progress bar on a terminal', async () => {
      const run = io({ 'tty.csv': GOOD }, { tty: true, batchSize: 1 });
      expect(await jobsImport(['tty.csv'], run.value)).toBe(0);
      const screen = run.out.join('');
      expect(screen).toContain('\r[');
      expect(screen).toMatch(/\r\[#{10}-{20}\] {2}33% imported 1 of 3/);
      expect(screen.endsWith('] 100% imported 3 of 3\n')).toBe(true);
    });

    it('reports every problem by line and column, and imports nothing', async () => {
      const bad =
        'title,employer,district,category,description,contact,expiresAt\n' +
        '保安,某公司,城关区,security,夜班,0891-1,\n' +
        '保安,某公司,北京,security,夜班,0891-1,\n' +
        ',某公司,城关区,,"多行\n描述",0891-1,\n' +
        '保安,某公司,城关区,,夜班,0891-1,2020-01-01\n' +
        '保安,某公司\n';
      const run = io({ 'bad.csv': bad });
      expect(await jobsImport(['bad.csv'], run.value)).toBe(1);
      expect(run.connected()).toBe(0);
      expect(run.err[0]).toBe('jobs:import: bad.csv: 4 problem(s), nothing imported');
      expect(run.err.slice(1)).toEqual([
        expect.stringMatching(/^ {2}line 3, district: expected one of 城关区/),
        '  line 4, title: required',
        '  line 6, expiresAt: in the past',
        '  line 7: expected 7 fields, found 2',
      ]);
      expect(await byFile('bad.csv')).toEqual([]);

      const zh = io({
        'zh.csv': '岗位名称,用人单位,区县,岗位描述,联系方式\n保安,某公司,拉萨,夜班,0891\n',
      });
      expect(await jobsImport(['zh.csv'], zh.value)).toBe(1);
      expect(zh.err[1]).toMatch(/^ {2}line 2, 区县 \(district\): expected one of/);
    });

    it('answers bad usage with 64 and an unreadable file with 1', async () => {
      const run = io({});
      expect(await jobsImport([], run.value)).toBe(64);
      expect(await jobsImport(['a.csv', 'b.csv'], run.value)).toBe(64);
      expect(await jobsImport(['missing.csv'], run.value)).toBe(1);
      expect(run.err.at(-1)).toMatch(/cannot read missing\.csv/);
    });

    it('leaves nothing behind when the database fails midway, and shows nothing meanwhile', async () => {
      const rows = Array.from(
        { length: 5 },
        (_, i) => `岗位${i},某公司,城关区,,夜班,0891-${i},`,
      ).join('\n');
      const csv = `title,employer,district,category,description,contact,expiresAt\n${rows}\n`;
      let calls = 0;
      let seenMeanwhile: JobView[] = [];
      const failing: JobRepo = {
        ...t.jobs.repo,
        async insertImported(jobs, importId) {
          calls++;
          if (calls === 2) {
            // The first batch is in the database, hidden: nobody sees half an import.
            expect(
              await jobModel(t.deps.mongo).countDocuments({ 'source.importId': importId }),
            ).toBe(2);
            seenMeanwhile = (await api('GET', '/api/admin/jobs?limit=100')).body.items as JobView[];
            throw new Error('connection reset by peer');
          }
          return t.jobs.repo.insertImported(jobs, importId);
        },
      };
      const run = io({ 'midway.csv': csv }, { repo: failing, batchSize: 2 });
      expect(await jobsImport(['midway.csv'], run.value)).toBe(1);
      expect(run.err.at(-1)).toMatch(/nothing was imported \(connection reset by peer\)/);
      expect(seenMeanwhile.filter((j) => j.source.file === 'midway.csv')).toEqual([]);
      expect(await byFile('midway.csv')).toEqual([]);

      // Failing when the rows are made visible: removed all the same.
      const publishing: JobRepo = {
        ...t.jobs.repo,
        publishImport: async () => {
          throw new Error('server selection timed out');
        },
      };
      const again = io({ 'publish.csv': csv }, { repo: publishing, batchSize: 2 });
      expect(await jobsImport(['publish.csv'], again.value)).toBe(1);
      expect(await byFile('publish.csv')).toEqual([]);
    });

    it('runs as npm run jobs:import does: exit 0 with a plain progress line, 1 with problems', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lamton-jobs-'));
      writeFileSync(join(dir, 'cli.csv'), GOOD);
      writeFileSync(join(dir, 'cli-bad.csv'), 'title,employer\n保安\n');
      const env = {
        ...process.env,
        MONGODB_URI: testMongoUri(t.dbName),
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6381',
        LOG_LEVEL: 'silent',
      };
      const run = (file: string) =>
        spawnSync('node_modules/.bin/tsx', ['scripts/jobs-import.ts', join(dir, file)], {
          env,
          encoding: 'utf8',
          timeout: 60_000,
        });
      const queued = () => t.deps.redis.keys('lamton:bull:alerts:match-*');
      const before = (await queued()).length;
      const ok = run('cli.csv');
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout.trim().split('\n').at(-1)).toBe('imported 3 of 3');
      // Each new posting is queued for the job-alert match (the deployment's prefix; no worker here).
      const jobs = await queued();
      expect(jobs.length - before).toBe(3);
      await t.deps.redis.del(...(await t.deps.redis.keys('lamton:bull:alerts*')));
      const bad = run('cli-bad.csv');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('line 1, district: missing column');
      expect(bad.stderr).toContain('line 2: expected 2 fields, found 1');
    });
  });

  it('documents the API in the OpenAPI document', async () => {
    const res = await t.app.inject({
      url: '/docs/json',
      headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN_TOKEN}`).toString('base64')}` },
    });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json<{ paths: Json }>().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/admin/jobs', '/api/admin/jobs/{id}']));
  });
});
