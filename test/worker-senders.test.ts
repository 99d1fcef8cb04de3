import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildCore, type CoreDeps } from '../src/deps.js';
import { testMongoUri } from './support/app.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { startWechatApiServer, type WechatApiServer } from './support/wechat/api-server.js';

/**
 * Issue 9, A2/A6: a worker process pushes to a Telegram person through the channel registry's
 * sender, without building or starting anything inbound (no polling, no webhook, no commands,
 * no classifier).
 */
describe('a worker sends through the channel registry', () => {
  let api: BotApiServer;
  let wx: WechatApiServer;
  let core: CoreDeps;

  beforeAll(async () => {
    api = await startBotApiServer();
    wx = await startWechatApiServer();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6381',
      MONGODB_URI: testMongoUri(`test_worker_${Date.now()}`),
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
      WECHAT_APPID: wx.appId,
      WECHAT_APPSECRET: wx.appSecret,
      WECHAT_TOKEN: 'workerToken',
      WECHAT_API_ROOT: wx.apiRoot,
    });
    core = await buildCore(config, pino({ level: 'silent' }), {
      prefix: `test:worker:${Date.now()}:`,
    });
  });
  afterAll(async () => {
    await core.mongo.dropDatabase().catch(() => undefined);
    await core.close();
    await api.close();
    await wx.close();
  });

  it('has the configured senders and nothing of the web role', async () => {
    expect([...core.senders.keys()]).toEqual(['web', 'telegram', 'wechat']);
    expect(core).not.toHaveProperty('knowledge');
    expect(core).not.toHaveProperty('handleInbound');
    const res = await core.senders
      .get('telegram')!
      .send('777001', [{ text: '招聘会明天上午九点开始', lang: 'zh-CN' }]);
    expect(res.messageIds).toHaveLength(1);
    expect(api.sent(777001).map((m) => m.text)).toEqual(['招聘会明天上午九点开始']);
    const inbound = api.calls.filter((c) =>
      ['getUpdates', 'setWebhook', 'setMyCommands', 'deleteWebhook'].includes(c.method),
    );
    expect(inbound).toEqual([]);
  });

  it('pushes to a web chat through Redis alone: the inbox keeps it for the page', async () => {
    const chatId = randomUUID();
    const res = await core.senders
      .get('web')!
      .send(chatId, [
        { text: '招聘会明天上午九点开始', lang: 'zh-CN', notice: '退订请回复“退订”' },
      ]);
    expect(res.messageIds).toHaveLength(1);
    const key = `${core.prefix}web:inbox:${chatId}`;
    const [stored] = await core.redis.lrange(key, 0, -1);
    expect(JSON.parse(stored!)).toMatchObject({
      id: res.messageIds[0],
      messages: [{ text: '招聘会明天上午九点开始', notice: '退订请回复“退订”' }],
    });
    await core.redis.del(key);
  });

  it('sends to a WeChat person inside the 48-hour window, and says windowClosed outside it', async () => {
    const wechat = core.senders.get('wechat')!;
    await expect(
      wechat.send('o-worker-1', [{ text: '招聘会', lang: 'zh-CN' }]),
    ).rejects.toMatchObject({ kind: 'windowClosed' });
    // The person wrote (a web process recorded it in Redis): the window is open for the worker.
    await core.redis.set(`${core.prefix}wechat:window:o-worker-1`, '1', 'PX', 60_000);
    const res = await wechat.send('o-worker-1', [
      { text: '招聘会明天开始', lang: 'zh-CN', choices: [{ id: 'x', label: '详情' }] },
    ]);
    expect(res.messageIds).toHaveLength(1);
    expect(wx.sent('o-worker-1').map((m) => m.content)).toEqual(['招聘会明天开始\n\n1. 详情']);
  });
});
