import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildCore, type CoreDeps } from '../src/deps.js';
import { testMongoUri } from './support/app.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';

/**
 * Issue 9, A2/A6: a worker process pushes to a Telegram person through the channel registry's
 * sender, without building or starting anything inbound (no polling, no webhook, no commands,
 * no classifier).
 */
describe('a worker sends through the channel registry', () => {
  let api: BotApiServer;
  let core: CoreDeps;

  beforeAll(async () => {
    api = await startBotApiServer();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6381',
      MONGODB_URI: testMongoUri(`test_worker_${Date.now()}`),
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
    });
    core = await buildCore(config, pino({ level: 'silent' }), {
      prefix: `test:worker:${Date.now()}:`,
    });
  });
  afterAll(async () => {
    await core.mongo.dropDatabase().catch(() => undefined);
    await core.close();
    await api.close();
  });

  it('has the configured senders and nothing of the web role', async () => {
    expect([...core.senders.keys()]).toEqual(['telegram']);
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
});
