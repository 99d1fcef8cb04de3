import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { personModels } from '../src/people/person.model.js';
import { sendQueueName } from '../src/campaigns/queues.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { adminApi, seedPeople, startWorkers, until, type Json } from './support/campaigns.js';

const ADMIN = 'campaign-control-admin-0123456789';
const ZH = '就业援助月活动通知：本月起各区就业服务站延长服务时间。';
const BO = 'ལས་ཞུགས་རོགས་རམ་ཟླ་བའི་བྱ་འགུལ་གྱི་བརྡ་ཐོ།';

/**
 * Issue 10: the administrator's controls over a running campaign — approval by a second
 * administrator, roles, cancel and opt-out mid-campaign, quiet hours (a worker clock).
 * Outreach is slow here (5/s) so a campaign is still running when the test acts.
 */
describe('campaign controls', () => {
  let api: BotApiServer;
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  const tokens: Record<string, string> = {};

  const call = adminApi(() => t.url, ADMIN);
  const campaign = async (id: string) => (await call('GET', `/api/admin/campaigns/${id}`)).body;
  interface Stats {
    recipients: number | null;
    sent: number;
    failed: number;
    skipped: number;
    pending: number;
    cancelled: number;
  }
  const stats = async (id: string) => (await campaign(id)).stats as Stats;

  async function account(username: string, role: string): Promise<string> {
    const created = await call('POST', '/api/admin/accounts', { username, role });
    expect(created.status).toBe(201);
    const token = await call('POST', `/api/admin/accounts/${String(created.body.id)}/tokens`, {
      name: 'test',
    });
    expect(token.status).toBe(201);
    return String(token.body.token);
  }

  beforeAll(async () => {
    api = await startBotApiServer({ limits: { perSecond: 30, perChatMs: 1000 } });
    t = await startTestApp({
      ADMIN_TOKEN: ADMIN,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
      TELEGRAM_BROADCAST_RATE: '5',
      CAMPAIGN_APPROVAL_THRESHOLD: '20',
      QUIET_HOURS: '22:00-08:00',
    });
    tokens.second = await account('second-admin', 'admin');
    tokens.supervisor = await account('supervisor-1', 'supervisor');
    tokens.counsellor = await account('counsellor-1', 'counsellor');
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
    const { Person, Identity } = personModels(t.deps.mongo);
    await Person.deleteMany({});
    await Identity.deleteMany({});
    api.reset();
  });
  afterAll(async () => {
    await t.close();
    await api.close();
  });

  /** A clock in Lhasa daytime (not quiet), moving with real time. */
  const daytime = () => {
    const base = Date.parse('2026-12-04T04:00:00Z'); // 12:00 in Lhasa
    const t0 = Date.now();
    return () => new Date(base + (Date.now() - t0));
  };

  it('above the threshold a second administrator approves; nobody approves their own; roles hold', async () => {
    await seedPeople(
      t.deps.mongo,
      Array.from({ length: 25 }, (_, i) => ({
        chatId: String(1000 + i),
        language: 'zh-CN' as const,
      })),
    );
    workers = await startWorkers(t.deps, { now: daytime() });
    const body = { title: '援助月', message: { 'zh-CN': ZH, bo: BO } };

    expect(
      (await call('POST', '/api/admin/campaigns', body, 'wrong-token-000000000000')).status,
    ).toBe(401);
    expect((await call('POST', '/api/admin/campaigns', body, tokens.supervisor)).status).toBe(403);
    expect((await call('POST', '/api/admin/campaigns', body, tokens.counsellor)).status).toBe(403);
    expect((await call('GET', '/api/admin/campaigns', undefined, tokens.counsellor)).status).toBe(
      403,
    );

    const created = await call('POST', '/api/admin/campaigns', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending_approval', estimate: 25 });
    const id = String(created.body.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(api.sent()).toEqual([]);

    expect((await call('POST', `/api/admin/campaigns/${id}/approve`)).status).toBe(403);
    expect(
      (await call('POST', `/api/admin/campaigns/${id}/approve`, undefined, tokens.supervisor))
        .status,
    ).toBe(403);
    const listed = await call('GET', '/api/admin/campaigns', undefined, tokens.supervisor);
    expect(listed.status).toBe(200);
    expect((listed.body.items as Json[]).map((c) => c.id)).toContain(id);

    const approved = await call(
      'POST',
      `/api/admin/campaigns/${id}/approve`,
      undefined,
      tokens.second,
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'scheduled', approvedBy: 'second-admin' });
    await until(async () => ((await stats(id)).sent > 0 ? true : undefined), 10_000, 'sends');
    expect(
      (await call('POST', `/api/admin/campaigns/${id}/approve`, undefined, tokens.second)).status,
    ).toBe(409);

    const audit = await t.deps.audit.forTarget(`campaign:${id}`);
    expect(audit.map((a) => [a.action, a.actor])).toEqual(
      expect.arrayContaining([
        ['campaign.create', 'admin'],
        ['campaign.approve', 'second-admin'],
      ]),
    );
    await call('POST', `/api/admin/campaigns/${id}/cancel`);
  });

  it('cancel mid-campaign: the sends not yet made stop', async () => {
    await seedPeople(
      t.deps.mongo,
      Array.from({ length: 15 }, (_, i) => ({
        chatId: String(2000 + i),
        language: 'zh-CN' as const,
      })),
    );
    workers = await startWorkers(t.deps, { now: daytime() });
    const created = await call('POST', '/api/admin/campaigns', {
      title: '取消',
      message: { 'zh-CN': ZH, bo: BO },
    });
    const id = String(created.body.id);
    await until(
      async () => ((await stats(id)).sent >= 3 ? true : undefined),
      10_000,
      'three sends',
    );
    const cancelled = await call('POST', `/api/admin/campaigns/${id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1500));
    const after = await stats(id);
    const sentNow = api.sent().length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(api.sent().length).toBe(sentNow);
    expect(after.sent).toBeLessThan(15);
    expect(after.sent + after.cancelled).toBe(15);
    expect(sentNow).toBe(after.sent);
  });

  it('send jobs lost from Redis are queued again from the delivery records', async () => {
    await seedPeople(
      t.deps.mongo,
      Array.from({ length: 12 }, (_, i) => ({
        chatId: String(2500 + i),
        language: 'zh-CN' as const,
      })),
    );
    workers = await startWorkers(t.deps, { now: daytime() });
    const created = await call('POST', '/api/admin/campaigns', {
      title: '丢失',
      message: { 'zh-CN': ZH, bo: BO },
    });
    const id = String(created.body.id);
    await until(async () => ((await stats(id)).sent >= 2 ? true : undefined), 10_000, 'two sends');
    // What a Redis that lost its last writes looks like: the waiting send jobs are gone.
    await workers.sendQueues.get('telegram')!.drain(true);
    await until(
      async () => ((await campaign(id)).status === 'completed' ? true : undefined),
      20_000,
      'completion',
    );
    expect(await stats(id)).toMatchObject({ recipients: 12, sent: 12, pending: 0 });
    for (let i = 0; i < 12; i++) expect(api.sent(2500 + i)).toHaveLength(1);
  });

  it('a person who says 退订 mid-campaign gets nothing more; 恢复推送 brings it back', async () => {
    const chats = Array.from({ length: 12 }, (_, i) => String(3000 + i));
    await seedPeople(
      t.deps.mongo,
      chats.map((chatId) => ({ chatId, language: 'zh-CN' as const })),
    );
    workers = await startWorkers(t.deps, { now: daytime() });
    const last = chats.at(-1)!;
    const created = await call('POST', '/api/admin/campaigns', {
      title: '退订',
      message: { 'zh-CN': ZH, bo: BO },
    });
    const id = String(created.body.id);
    // The last person (paged last, so sent last at 5/s) opts out in the conversation meanwhile.
    const reply = await t.deps.handleInbound({
      channel: 'telegram',
      chatId: last,
      messageId: 'm-stop',
      input: { kind: 'text', text: '退订' },
      receivedAt: new Date(),
    });
    expect(reply.map((r) => r.text).join('')).toContain('不再给您推送');
    await until(
      async () => ((await campaign(id)).status === 'completed' ? true : undefined),
      15_000,
      'completion',
    );
    expect(api.sent(Number(last)).filter((m) => m.text.includes(ZH))).toEqual([]);
    expect(await stats(id)).toMatchObject({ sent: 11, skipped: 1 });

    await t.deps.handleInbound({
      channel: 'telegram',
      chatId: last,
      messageId: 'm-resume',
      input: { kind: 'text', text: '恢复推送' },
      receivedAt: new Date(),
    });
    const again = await call('POST', '/api/admin/campaigns', {
      title: '再次',
      message: { 'zh-CN': ZH, bo: BO },
    });
    await until(
      async () =>
        (await campaign(String(again.body.id))).status === 'completed' ? true : undefined,
      15_000,
      'second campaign',
    );
    expect(api.sent(Number(last)).filter((m) => m.text.includes(ZH))).toHaveLength(1);
  });

  it('bull-board at /admin/queues, for an administrator logged in', async () => {
    const login = async (username: string, role: string) => {
      const password = 'a-long-password-1234';
      expect((await call('POST', '/api/admin/accounts', { username, role, password })).status).toBe(
        201,
      );
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username, password }).toString(),
      });
      const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('lamton_admin='));
      expect(cookie).toBeTruthy();
      return cookie!.split(';')[0]!;
    };
    const admin = await login('board-admin', 'admin');
    const supervisor = await login('board-supervisor', 'supervisor');

    const page = await t.app.inject({ url: '/admin/queues', headers: { cookie: admin } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const queues = await t.app.inject({
      url: '/admin/queues/api/queues',
      headers: { cookie: admin },
    });
    expect(queues.statusCode).toBe(200);
    const names = (queues.json<{ queues: { name: string }[] }>().queues ?? []).map((q) => q.name);
    expect(names).toEqual(
      expect.arrayContaining(['campaigns', 'outreach-telegram', 'maintenance']),
    );

    const anonymous = await t.app.inject({ url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe('/admin/login?next=%2Fadmin%2Fqueues');
    expect((await t.app.inject({ url: '/admin/queues/api/queues' })).statusCode).toBe(401);
    // A bearer token is for the API, not the board's pages.
    expect(
      (await t.app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${ADMIN}` } }))
        .statusCode,
    ).toBe(302);
    expect(
      (await t.app.inject({ url: '/admin/queues', headers: { cookie: supervisor } })).statusCode,
    ).toBe(403);
    const crossSite = await t.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/campaigns/pause',
      headers: { cookie: admin, origin: 'https://evil.example' },
    });
    expect(crossSite.statusCode).toBe(403);
  });

  it('quiet hours (Lhasa time) pause sending, and it resumes after', async () => {
    await seedPeople(
      t.deps.mongo,
      Array.from({ length: 4 }, (_, i) => ({ chatId: String(4000 + i), language: 'bo' as const })),
    );
    // The worker's clock: 07:59:58 in Lhasa, two seconds before the quiet hours end.
    const base = Date.parse('2026-12-04T23:59:58Z');
    const t0 = Date.now();
    workers = await startWorkers(t.deps, { now: () => new Date(base + (Date.now() - t0)) });
    const created = await call('POST', '/api/admin/campaigns', {
      title: '夜间',
      message: { 'zh-CN': ZH, bo: BO },
    });
    const id = String(created.body.id);
    await until(
      async () => ((await campaign(id)).status === 'paused' ? true : undefined),
      5_000,
      'paused',
    );
    expect(api.sent()).toEqual([]);
    await until(
      async () => ((await campaign(id)).status === 'completed' ? true : undefined),
      15_000,
      'completion',
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(api.sent()).toHaveLength(4);
  });

  it('lifts a quiet-hours hold left by an earlier setting when started outside quiet hours', async () => {
    // A fault injector changed QUIET_HOURS and restarted every worker: the 5-hour hold stayed.
    const queue = `${t.deps.prefix}bull:${sendQueueName('telegram')}:limiter`;
    await t.deps.redis.set(queue, '1', 'PX', 5 * 3600_000);
    await t.deps.redis.set(`${t.deps.prefix}out:quiet`, '1', 'PX', 5 * 3600_000);
    // Daytime in Lhasa (the test app's QUIET_HOURS): not quiet now.
    workers = await startWorkers(t.deps, { now: () => new Date('2026-12-04T04:00:00Z') });
    expect(await t.deps.redis.exists(queue)).toBe(0);
    expect(await t.deps.redis.exists(`${t.deps.prefix}out:quiet`)).toBe(0);
    // A channel's own pause (a 429, no quiet-hours flag) is left alone.
    await workers.close();
    await t.deps.redis.set(queue, '1', 'PX', 60_000);
    workers = await startWorkers(t.deps, { now: () => new Date('2026-12-04T04:00:00Z') });
    expect(await t.deps.redis.exists(queue)).toBe(1);
    await t.deps.redis.del(queue);
  });
});
