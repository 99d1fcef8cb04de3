/**
 * Job alerts on Telegram (telegraf polling a Bot API server on loopback) and WeChat
 * (wechaty-puppet-mock): /subscribe in Tibetan and 订阅岗位 in Chinese, a posting through the
 * admin API reaching each chat with how to stop, /subscriptions, /unsubscribe and 取消岗位订阅;
 * subscriptions following /link into one person and going with /delete. The worker role runs
 * the alert queue with the channels' senders. Real app, Redis, FerretDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { withChannelSenders } from '../src/channels/registry.js';
import { createWechatChannel, type WechatChannel } from '../src/channels/wechat/wechat.channel.js';
import { startTestApp, type TestApp } from './support/app.js';
import { inlineButtons, sentText, telegramChat, wechatPeople } from './support/chats.js';
import { lhasaAt, posting, startAlertTestWorker } from './support/alerts.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { adminApi, until } from './support/campaigns.js';

const ADMIN = 'alerts-channels-admin-token-0123456789';
const TIBETAN = /[\u0F40-\u0FBC]/u;
let bot: BotApiServer;
let app: TestApp;
let wechat: WechatChannel;
let mocker: mock.Mocker;
let people: ReturnType<typeof wechatPeople>;
let worker: { close(): Promise<void> };

beforeAll(async () => {
  bot = await startBotApiServer();
  app = await startTestApp({
    ADMIN_TOKEN: ADMIN,
    TELEGRAM_BOT_TOKEN: bot.token,
    TELEGRAM_API_ROOT: bot.apiRoot,
    TELEGRAM_MODE: 'polling',
  });
  await app.deps.telegram!.start();
  mocker = new mock.Mocker();
  people = wechatPeople(mocker);
  wechat = createWechatChannel({
    handleInbound: app.deps.handleInbound,
    log: app.deps.log,
    puppet: new PuppetMock({ mocker }),
  });
  await wechat.start();
  // The all-in-one process: the mock puppet says alerts through itself.
  worker = await startAlertTestWorker(app.deps, {
    now: () => lhasaAt(new Date(), 14),
    senders: withChannelSenders(app.deps.senders, [wechat]),
  });
});
afterAll(async () => {
  await worker?.close();
  await wechat?.stop();
  await app?.close();
  await bot?.close();
});

/** A new person on WeChat (the mock puppet). */
const wechatPerson = () => people();
const api = adminApi(() => app.url, ADMIN);
async function post(title: string, more: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/api/admin/jobs', posting(title, more));
  expect(res.status).toBe(201);
  return String(res.body.id);
}

const personOf = async (identity: string) =>
  String(
    (
      await app.deps.mongo
        .collection<{ _id: string; personId: mongoose.Types.ObjectId }>('identities')
        .findOne({ _id: identity })
    )?.personId,
  );

describe('Telegram in Tibetan', () => {
  it('subscribes with /subscribe, gets the alert in a Tibetan frame, lists and unsubscribes', async () => {
    const tg = telegramChat(bot, 7401);
    await tg.say('བཀྲ་ཤིས་བདེ་ལེགས།');
    // སྲུང་སྐྱོབ་པ (a guard) matches a Chinese posting for 保安 through the glossary.
    const done = sentText(await tg.command('subscribe', 'སྲུང་སྐྱོབ་པ'));
    expect(done).toMatch(TIBETAN);
    expect(done).toContain('སྲུང་སྐྱོབ་པ');
    expect(done).toContain('/unsubscribe');
    const listed = sentText(await tg.command('subscriptions'));
    expect(listed).toContain('སྲུང་སྐྱོབ་པ');

    await post('商场保安', { district: '城关区' });
    const alert = await bot.waitForSent((m) => m.chatId === 7401 && m.text.includes('商场保安'));
    expect(alert.text).toContain('ཁྲིན་ཀོན་ཆུས');
    expect(alert.text).toContain('ལས་ཁུངས');
    expect(alert.text).toContain('/unsubscribe');

    // Recommendations in Tibetan, with the reason.
    const rec = sentText(await tg.say('ལས་གནས་འོས་སྦྱོར'));
    expect(rec).toContain('商场保安');
    expect(rec).toContain('འོས་སྦྱོར་གྱི་རྒྱུ་མཚན');
    expect(rec).toContain('སྲུང་སྐྱོབ་པ');

    const gone = sentText(await tg.command('unsubscribe'));
    expect(gone).toMatch(TIBETAN);
    expect(await app.deps.alerts.subscriptions.count(await personOf('telegram:7401'))).toBe(0);
  });
});

describe('WeChat in Chinese', () => {
  it('subscribes with 订阅岗位, gets the alert with how to stop, and stops with 取消岗位订阅', async () => {
    const wx = wechatPerson();
    await wx.say('你好');
    const done = await wx.say('订阅岗位 厨师');
    expect(done).toContain('订好了');
    await post('藏餐馆厨师', { district: '城关区' });
    await expect.poll(() => wx.heard.join('\n'), { timeout: 20_000 }).toContain('藏餐馆厨师');
    const alert = wx.heard.find((h) => h.includes('藏餐馆厨师'))!;
    expect(alert).toContain('匹配您的订阅：厨师');
    expect(alert).toContain('取消岗位订阅');
    const listed = await wx.say('我的订阅');
    // Beside the numbered choices, the list itself is numbered ① (a "1" picks a choice).
    expect(listed).toContain('① 厨师');
    const rec = await wx.say('推荐岗位');
    expect(rec).toContain('藏餐馆厨师');
    expect(rec).toContain('推荐理由：符合“厨师”');
    const gone = await wx.say('取消岗位订阅');
    expect(gone).toContain('已取消全部 1 个');
  });
});

describe('WeChat in Tibetan', () => {
  it('subscribes with the Tibetan keyword, gets a Tibetan alert, and stops with the Tibetan keyword', async () => {
    const wx = wechatPerson();
    await wx.say('བཀྲ་ཤིས་བདེ་ལེགས།');
    const done = await wx.say('ལས་གནས་ཀྱི་བརྡ་ཐོ ཁ་ལོ་བ');
    expect(done).toContain('ཁ་ལོ་བ');
    expect(done).toMatch(TIBETAN);
    await post('旅游大巴司机', { district: '林周县' });
    await expect.poll(() => wx.heard.join('\n'), { timeout: 20_000 }).toContain('旅游大巴司机');
    const alert = wx.heard.find((h) => h.includes('旅游大巴司机'))!;
    expect(alert).toContain('ལྷུན་གྲུབ་རྫོང');
    expect(alert).toContain('ལས་གནས་ཀྱི་བརྡ་ཐོ་ཕྱིར་འཐེན');
    const listed = await wx.say('ངའི་ལས་གནས་བརྡ་ཐོ');
    expect(listed).toContain('ཁ་ལོ་བ');
    const gone = await wx.say('ལས་གནས་ཀྱི་བརྡ་ཐོ་ཕྱིར་འཐེན');
    expect(gone).toMatch(TIBETAN);
    expect(await app.deps.alerts.subscriptions.count(await personOf(`wechat:${wx.id}`))).toBe(0);
  });
});

describe('one person across channels', () => {
  it('keeps subscriptions through /link and erases them with /delete', async () => {
    const wx = wechatPerson();
    await wx.say('你好');
    await wx.say('订阅岗位 保洁');
    const tg = telegramChat(bot, 7402);
    await tg.say('你好');
    await tg.command('subscribe', '司机');
    const code = /(\d{6})/u.exec(await wx.say('绑定'))?.[1];
    expect(code).toBeDefined();
    await tg.command('link', code);
    const personId = await personOf(`wechat:${wx.id}`);
    expect(await personOf('telegram:7402')).toBe(personId);
    const listed = sentText(await tg.command('subscriptions'));
    expect(listed).toContain('保洁');
    expect(listed).toContain('司机');
    // The index follows the person: a driver's posting reaches them once (WeChat first).
    const jobId = await post('通勤班车司机');
    await until(async () => {
      const doc = await app.deps.mongo
        .collection('job_alerts')
        .findOne({ _id: `${jobId}:${personId}` as never });
      return doc?.state === 'sent' ? doc : undefined;
    }, 20_000);
    await expect.poll(() => wx.heard.join('\n'), { timeout: 10_000 }).toContain('通勤班车司机');

    const ask = await tg.command('delete');
    const confirm = inlineButtons(ask.at(-1)).find((b) =>
      b.callback_data.startsWith('privacy:delete#confirm'),
    );
    await tg.press(confirm!.callback_data, ask.at(-1)!.messageId);
    expect(await app.deps.alerts.subscriptions.count(personId)).toBe(0);
    expect(await app.deps.mongo.collection('job_alerts').countDocuments({ personId })).toBe(0);
    // Nothing of theirs is left in the index.
    const matches = await app.deps.alerts.matcher.match({ title: '保洁员', district: '城关区' });
    expect(matches.map((m) => m.personId)).not.toContain(personId);
  });
});
