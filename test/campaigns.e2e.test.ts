import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { personModels } from '../src/people/person.model.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { adminApi, seedPeople, startWorkers, until, type Json } from './support/campaigns.js';

const ADMIN = 'campaign-admin-token-0123456789';
const ZH = '春风行动招聘会12月10日上午在城关区举行，欢迎参加。';
const BO = 'དཔྱིད་རླུང་བྱ་འགུལ་གྱི་ལས་མི་འདེད་འཛུགས་ཚོགས་འདུ་ཟླ་༡༢་ཚེས་༡༠་ལ་ཁྲིན་ཀོན་ཆུས་སུ་འཚོགས་རྒྱུ་ཡིན།';

/**
 * Issue 10: policy outreach over Telegram, end to end — the admin API writes a bilingual
 * campaign, the worker fans it out and sends it through a Bot API server on loopback that
 * enforces Telegram's 30/s and 1/s per chat (429 with retry_after) and 403 for blocked chats.
 */
describe('outreach campaigns over Telegram', () => {
  let api: BotApiServer;
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;

  const call = adminApi(() => t.url, ADMIN);
  const stats = async (id: string) => (await call('GET', `/api/admin/campaigns/${id}`)).body;
  const completed = async (id: string) => {
    let last: Json = {};
    return until(
      async () => {
        last = await stats(id);
        return last.status === 'completed' ? last : undefined;
      },
      20_000,
      'the campaign to complete',
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last seen: ${JSON.stringify(last)}`);
    });
  };

  beforeAll(async () => {
    api = await startBotApiServer({ limits: { perSecond: 30, perChatMs: 1000 } });
    t = await startTestApp({
      ADMIN_TOKEN: ADMIN,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
      // Quiet hours that never hold (this file's own clock tests use a worker clock).
      QUIET_HOURS: '00:00-00:00',
      CAMPAIGN_APPROVAL_THRESHOLD: '1000',
    });
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

  it('reaches every reachable, subscribed person once, in their language, within the pace', async () => {
    const people = [
      ...Array.from({ length: 40 }, (_, i) => ({
        chatId: String(5000 + i),
        language: 'zh-CN' as const,
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        chatId: String(6000 + i),
        language: 'bo' as const,
      })),
      { chatId: '7000', language: null },
      { chatId: '7001', language: 'zh-CN' as const, optOut: true },
      { chatId: '7002', language: 'bo' as const, unreachable: true },
      { chatId: '7003', language: 'zh-CN' as const },
    ];
    await seedPeople(t.deps.mongo, people);
    api.blockChat(7003);
    workers = await startWorkers(t.deps);

    const created = await call('POST', '/api/admin/campaigns', {
      title: '春风行动招聘会',
      message: { 'zh-CN': ZH, bo: BO },
      audience: {},
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('scheduled');
    const id = String(created.body.id);
    const started = Date.now();
    const done = await completed(id);
    const seconds = (Date.now() - started) / 1000;

    // 40 + 30 + 1 (no language) + 1 (blocked) recipients; the opted-out and the unfollowed are not.
    expect(done.stats).toMatchObject({
      recipients: 72,
      sent: 71,
      skipped: 1,
      failed: 0,
      pending: 0,
    });
    for (const p of people.slice(0, 40)) {
      const got = api.sent(Number(p.chatId));
      expect(got).toHaveLength(1);
      expect(got[0]!.text).toContain(ZH);
      expect(got[0]!.text).toContain('/stop');
    }
    for (const p of people.slice(40, 70)) {
      const got = api.sent(Number(p.chatId));
      expect(got).toHaveLength(1);
      expect(got[0]!.text).toContain(BO);
      expect(got[0]!.text).not.toContain(ZH);
    }
    // No language known yet: both, each with its own notice.
    expect(api.sent(7000).map((m) => m.text.includes(ZH) || m.text.includes(BO))).toEqual([
      true,
      true,
    ]);
    expect(api.sent(7001)).toEqual([]);
    expect(api.sent(7002)).toEqual([]);
    // Blocked: skipped, and the chat is marked unreachable for the next campaign.
    expect(await t.deps.people.unreachableSince('telegram', '7003')).toBeInstanceOf(Date);
    // 25/s of outreach keeps under Telegram's 30/s: not one 429 for the global limit (the
    // person with both languages may meet the per-chat one once, waited out by the sender).
    expect(api.floodRefusals().global).toBe(0);
    expect(api.floodRefusals().chat).toBeLessThanOrEqual(1);
    expect(seconds).toBeGreaterThan(72 / 30);
  });

  it('reaches people of the web chat in their inbox (shown on their next visit)', async () => {
    const sid = randomUUID();
    await seedPeople(t.deps.mongo, [{ channel: 'web', chatId: sid, language: 'bo' }]);
    workers = await startWorkers(t.deps);
    const created = await call('POST', '/api/admin/campaigns', {
      title: '网页',
      message: { 'zh-CN': ZH, bo: BO },
      audience: { channels: ['web'] },
    });
    const done = await completed(String(created.body.id));
    expect(done.stats).toMatchObject({ recipients: 1, sent: 1 });
    const items = (await t.deps.redis.lrange(`${t.deps.prefix}web:inbox:${sid}`, 0, -1)).map(
      (raw) => JSON.parse(raw) as { messages: { text: string; lang: string; notice?: string }[] },
    );
    expect(items).toHaveLength(1);
    expect(items[0]!.messages).toEqual([
      { text: BO, lang: 'bo', notice: expect.stringContaining('བརྡ་ཐོ་མཚམས་འཇོག') as unknown },
    ]);
    expect(api.sent()).toEqual([]);
  });

  it('sends a stored campaign whose job Redis did not take (full, read-only): the worker queues it', async () => {
    const sid = randomUUID();
    await seedPeople(t.deps.mongo, [{ channel: 'web', chatId: sid, language: 'zh-CN' }]);
    // Stored as a create leaves it when its job could not be queued (no job in Redis).
    const stored = await t.deps.campaigns.repo.create({
      title: '没进队列',
      message: { 'zh-CN': ZH, bo: BO },
      audience: { channels: ['web'] },
      sendAt: new Date(),
      status: 'scheduled',
      createdBy: 'admin',
      createdAt: new Date(),
      estimate: 1,
    });
    const id = stored._id.toHexString();
    expect(await t.deps.campaigns.queue.getJob(`campaign-${id}`)).toBeUndefined();
    workers = await startWorkers(t.deps);
    const done = await completed(id);
    expect(done.stats).toMatchObject({ recipients: 1, sent: 1 });
    // Swept again: it is not sent a second time.
    await workers.scheduleStored();
    await new Promise((r) => setTimeout(r, 500));
    expect(await t.deps.redis.llen(`${t.deps.prefix}web:inbox:${sid}`)).toBe(1);
  });

  it('refuses invalid campaigns with 400 naming the field, and a text too long for Telegram', async () => {
    const bad = await call('POST', '/api/admin/campaigns', {
      title: '',
      message: { 'zh-CN': ZH },
      audience: { districts: ['火星区'], channels: ['fax'] },
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'title',
        'message.bo',
        'audience.districts.0',
        'audience.channels.0',
      ]),
    );

    const swapped = await call('POST', '/api/admin/campaigns', {
      title: 'x',
      message: { 'zh-CN': BO, bo: ZH },
    });
    expect(swapped.status).toBe(400);

    const long = await call('POST', '/api/admin/campaigns', {
      title: '长通知',
      message: { 'zh-CN': '政'.repeat(4090), bo: BO },
    });
    expect(long.status).toBe(400);
    const details = long.body.details as { path: string; message: string }[];
    expect(details.some((d) => d.path === 'message.zh-CN' && d.message.includes('telegram'))).toBe(
      true,
    );
    expect(long.body.details).not.toContainEqual(expect.objectContaining({ path: 'message.bo' }));

    // WeChat is not configured in this app: a campaign only for it would send (and check) nothing.
    const unconfigured = await call('POST', '/api/admin/campaigns', {
      title: '只发微信',
      message: { 'zh-CN': ZH, bo: BO },
      audience: { channels: ['telegram', 'wechat'] },
    });
    expect(unconfigured.status).toBe(400);
    expect(unconfigured.body.details).toEqual([
      { path: 'audience.channels.1', message: 'wechat is not configured on this deployment' },
    ]);

    const past = await call('POST', '/api/admin/campaigns', {
      title: '过去',
      message: { 'zh-CN': ZH, bo: BO },
      sendAt: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.details).toEqual([expect.objectContaining({ path: 'sendAt' })]);
    const farAhead = await call('POST', '/api/admin/campaigns', {
      title: '很久以后',
      message: { 'zh-CN': ZH, bo: BO },
      sendAt: '9999-12-31T00:00:00Z',
    });
    expect(farAhead.status).toBe(400);
    expect(farAhead.body.details).toEqual([{ path: 'sendAt', message: 'more than a year ahead' }]);

    for (const body of ['{', '[]', 'null', '"x"']) {
      const res = await fetch(`${t.url}/api/admin/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
    }
    // A malformed id is an unknown one (docs/contracts.md: 404).
    expect((await call('GET', '/api/admin/campaigns/nope')).status).toBe(404);
    expect((await call('GET', '/api/admin/campaigns/0123456789abcdef01234567')).status).toBe(404);
    expect(
      (await call('POST', '/api/admin/campaigns/0123456789abcdef01234567/cancel')).status,
    ).toBe(404);
  });

  it('previews each channel in both languages, with what would be refused', async () => {
    const res = await call('POST', '/api/admin/campaigns/preview', {
      message: { 'zh-CN': '政'.repeat(4090), bo: BO },
    });
    expect(res.status).toBe(200);
    const channels = res.body.channels as {
      channel: string;
      lang: string;
      texts: string[];
      parts: number;
    }[];
    const tgBo = channels.find((c) => c.channel === 'telegram' && c.lang === 'bo')!;
    expect(tgBo.texts).toEqual([
      `${BO}\n\nལྷ་ས་གྲོང་ཁྱེར་གྱི་སྤྱི་པའི་ལས་ཞུགས་ཞབས་ཞུའི་བརྡ་ཐོ། ལེན་མི་འདོད་ན་ /stop ཞེས་བཏང་ཆོག`,
    ]);
    expect(channels.find((c) => c.channel === 'telegram' && c.lang === 'zh-CN')!.parts).toBe(2);
    const problems = res.body.problems as { path: string }[];
    expect(problems.length).toBeGreaterThan(0);
    expect(new Set(problems.map((p) => p.path))).toEqual(new Set(['message.zh-CN']));
    expect(
      (await call('POST', '/api/admin/campaigns/preview', { message: { 'zh-CN': 1 } })).status,
    ).toBe(400);
  });

  it('holds a campaign until sendAt, and cancel stops the sends not yet made', async () => {
    await seedPeople(
      t.deps.mongo,
      Array.from({ length: 30 }, (_, i) => ({
        chatId: String(8000 + i),
        language: 'zh-CN' as const,
      })),
    );
    workers = await startWorkers(t.deps);
    const later = await call('POST', '/api/admin/campaigns', {
      title: '明天的通知',
      message: { 'zh-CN': ZH, bo: BO },
      sendAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(later.body.status).toBe('scheduled');
    await new Promise((r) => setTimeout(r, 800));
    expect(api.sent()).toEqual([]);
    const cancelled = await call('POST', `/api/admin/campaigns/${String(later.body.id)}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(
      (await call('POST', `/api/admin/campaigns/${String(later.body.id)}/cancel`)).status,
    ).toBe(409);
  });

  it('stores a campaign’s texts cleaned: no NUL, no bidi override, no lone surrogate', async () => {
    const made = await call('POST', '/api/admin/campaigns', {
      title: '春风\u0000行动\u202E',
      message: { 'zh-CN': `${ZH}\u202E\uD800`, bo: `${BO}\u0000` },
      sendAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(made.status).toBe(201);
    const got = await call('GET', `/api/admin/campaigns/${String(made.body.id)}`);
    expect(got.body.title).toBe('春风行动');
    expect((got.body.message as Record<string, string>)['zh-CN']).toBe(ZH);
    expect((got.body.message as Record<string, string>).bo).toBe(BO);
    await call('POST', `/api/admin/campaigns/${String(made.body.id)}/cancel`);
  });

  it('test-sends both languages to the administrator’s own chat, marked as a test', async () => {
    const c = await call('POST', '/api/admin/campaigns', {
      title: '测试',
      message: { 'zh-CN': ZH, bo: BO },
    });
    const id = String(c.body.id);
    await call('POST', `/api/admin/campaigns/${id}/cancel`);
    // Only to a chat that has written to us: a stranger's id is refused, and nothing is sent.
    const stranger = await call('POST', `/api/admin/campaigns/${id}/test`, {
      channel: 'telegram',
      address: '99001',
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.details).toEqual([expect.objectContaining({ path: 'address' })]);
    expect(api.sent(99001)).toHaveLength(0);
    const { Identity } = personModels(t.deps.mongo);
    await Identity.insertMany(
      ['99001', '99002'].map((chat) => ({
        _id: `telegram:${chat}`,
        personId: new Types.ObjectId(),
        channel: 'telegram',
        createdAt: new Date(),
      })),
    );
    const res = await call('POST', `/api/admin/campaigns/${id}/test`, {
      channel: 'telegram',
      address: '99001',
    });
    expect(res.status).toBe(200);
    const texts = api.sent(99001).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^【测试】春风行动/);
    expect(texts[1]).toMatch(/^【ཚོད་ལྟ】དཔྱིད་རླུང/);
    api.blockChat(99002);
    const blocked = await call('POST', `/api/admin/campaigns/${id}/test`, {
      channel: 'telegram',
      address: '99002',
    });
    expect(blocked.status).toBe(400);
    expect(blocked.body.details).toEqual([expect.objectContaining({ path: 'address' })]);
    const wx = await call('POST', `/api/admin/campaigns/${id}/test`, {
      channel: 'wechat',
      address: 'o123',
    });
    expect(wx.status).toBe(400);
  });
});
