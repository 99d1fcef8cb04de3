/**
 * How job alerts are delivered (issue 13 with the outreach issue's channel rules): on WeChat a
 * customer-service text inside the person's 48-hour window and the account's template outside
 * it (against the WeChat API server on loopback); on Telegram a chat that blocked the bot is
 * marked unreachable and its alert skipped, not retried (a Bot API server on loopback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceWindow } from '../src/channels/wechat/window.js';
import { startTestApp, type TestApp } from './support/app.js';
import { lhasaAt, posting, startAlertTestWorker } from './support/alerts.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { adminApi, seedPeople, until } from './support/campaigns.js';
import { startWechatApiServer, type WechatApiServer } from './support/wechat/api-server.js';

const ADMIN = 'alerts-delivery-admin-0123456789';
let wx: WechatApiServer;
let bot: BotApiServer;
let t: TestApp;
let worker: { close(): Promise<void> };

beforeAll(async () => {
  wx = await startWechatApiServer();
  bot = await startBotApiServer();
  t = await startTestApp({
    ADMIN_TOKEN: ADMIN,
    WECHAT_APPID: wx.appId,
    WECHAT_APPSECRET: wx.appSecret,
    WECHAT_TOKEN: 'alertsWechatToken',
    WECHAT_API_ROOT: wx.apiRoot,
    WECHAT_TEMPLATE_ID: 'tmpl-alerts-1',
    TELEGRAM_BOT_TOKEN: bot.token,
    TELEGRAM_API_ROOT: bot.apiRoot,
    TELEGRAM_MODE: 'polling',
  });
  worker = await startAlertTestWorker(t.deps, { now: () => lhasaAt(new Date(), 14) });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await wx?.close();
  await bot?.close();
});

const api = adminApi(() => t.url, ADMIN);
async function subscribe(personId: string, keyword: string) {
  const added = await t.deps.alerts.subscriptions.add({
    personId,
    keywords: [keyword],
    source: 'chat',
    at: new Date(),
  });
  if (!added.ok) throw new Error(added.reason);
  await t.deps.alerts.matcher.add(added.subscription);
}
const alertOf = (jobId: string, personId: string) =>
  t.deps.mongo.collection('job_alerts').findOne({ _id: `${jobId}:${personId}` as never });

describe('job alerts over WeChat', () => {
  it('sends a customer-service text inside the window and the template outside it', async () => {
    const [inside, outside] = await seedPeople(t.deps.mongo, [
      { channel: 'wechat', chatId: 'oAlertIn01', language: 'zh-CN' },
      { channel: 'wechat', chatId: 'oAlertOut1', language: 'bo' },
    ]);
    await createServiceWindow(t.deps.redis, t.deps.prefix).opened('oAlertIn01');
    await subscribe(String(inside), '保安');
    await subscribe(String(outside), '保安');
    const res = await api('POST', '/api/admin/jobs', posting('医院保安'));
    expect(res.status).toBe(201);
    const jobId = String(res.body.id);
    await until(async () => {
      const [a, b] = await Promise.all([
        alertOf(jobId, String(inside)),
        alertOf(jobId, String(outside)),
      ]);
      return a?.state === 'sent' && b?.state === 'sent' ? true : undefined;
    }, 20_000);
    const text = wx.sent('oAlertIn01');
    expect(text).toHaveLength(1);
    expect(text[0]).toMatchObject({ kind: 'custom' });
    expect(text[0]!.content).toContain('医院保安');
    expect(text[0]!.content).toContain('取消岗位订阅');
    const template = wx.sent('oAlertOut1');
    expect(template).toHaveLength(1);
    expect(template[0]!.kind).toBe('template');
    const body = template[0]!.body as {
      template_id: string;
      data: Record<string, { value: string }>;
    };
    expect(body.template_id).toBe('tmpl-alerts-1');
    expect(JSON.stringify(body.data)).toContain('医院保安');
    expect((await alertOf(jobId, String(outside)))?.via).toBe('template');
  });
});

describe('job alerts over Telegram', () => {
  it('marks a chat that blocked the bot unreachable and skips its alert', async () => {
    const [blocked, open] = await seedPeople(t.deps.mongo, [
      { channel: 'telegram', chatId: '7501', language: 'zh-CN' },
      { channel: 'telegram', chatId: '7502', language: 'zh-CN' },
    ]);
    bot.blockChat(7501);
    await subscribe(String(blocked), '司机');
    await subscribe(String(open), '司机');
    const res = await api('POST', '/api/admin/jobs', posting('送货司机'));
    const jobId = String(res.body.id);
    const gone = await until(async () => {
      const a = await alertOf(jobId, String(blocked));
      return a?.state === 'skipped' ? a : undefined;
    }, 20_000);
    expect(gone.state).toBe('skipped');
    const identity = await t.deps.mongo
      .collection('identities')
      .findOne({ _id: 'telegram:7501' as never });
    expect(identity?.unreachableSince).toBeInstanceOf(Date);
    const sent = await bot.waitForSent((m) => m.chatId === 7502 && m.text.includes('送货司机'));
    expect(sent.text).toContain('/unsubscribe');
    // Reached: the one chat that got it.
    await until(async () => {
      const job = await api('GET', `/api/admin/jobs/${jobId}`);
      return (job.body.reach as { alerted: number }).alerted === 1 ? true : undefined;
    });
    expect(
      await t.deps.mongo.collection('job_alerts').countDocuments({ jobId, state: 'sent' }),
    ).toBe(1);
  });

  it('retries an alert the Bot API failed after it was claimed, and sends it once', async () => {
    const [person] = await seedPeople(t.deps.mongo, [
      { channel: 'telegram', chatId: '7503', language: 'zh-CN' },
    ]);
    await subscribe(String(person), '电焊工');
    // The first send fails on Telegram's side (a 500): the record is `sending`, the job retried.
    bot.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    const res = await api('POST', '/api/admin/jobs', posting('钢结构电焊工'));
    const jobId = String(res.body.id);
    const sent = await until(async () => {
      const a = await alertOf(jobId, String(person));
      return a?.state === 'sent' ? a : undefined;
    }, 30_000);
    expect(sent.state).toBe('sent');
    const got = bot.sent(7503).filter((m) => m.text.includes('钢结构电焊工'));
    expect(got).toHaveLength(1);
    const failed = bot.calls.filter(
      (c) =>
        c.method === 'sendMessage' &&
        c.response?.ok === false &&
        String(c.params.chat_id) === '7503',
    );
    expect(failed).toHaveLength(1);
  });
});
