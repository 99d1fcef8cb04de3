/**
 * The handoff round trip on Telegram (telegraf polling a Bot API server on loopback) and WeChat
 * (our Official Account puppet, callbacks signed as WeChat signs them, a WeChat API on
 * loopback), in both languages: the case reaches the office's system, the person's voice note
 * travels as a link of ours (never the channel's URL with its token), the counsellor's reply
 * comes back in the same chat; on WeChat outside the 48-hour window a template says a reply is
 * waiting and the reply is shown in full when the person writes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WechatChannel } from '../src/channels/wechat/wechat.channel.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  callbackUpdate,
  commandUpdate,
  mediaUpdate,
  startBotApiServer,
  textUpdate,
  type BotApiServer,
  type SentMessage,
} from './support/bot-api/index.js';
import { until } from './support/campaigns.js';
import { newSecret, startCounsellorSystem, type CounsellorSystem } from './support/counsellor.js';
import { startHandoffTestWorkers } from './support/handoff.js';
import { TIBETAN } from './support/events.js';
import { startWechatApiServer, type WechatApiServer } from './support/wechat/api-server.js';
import { callback, messageXml, replyText, type Account } from './support/wechat/callbacks.js';

const SECRET = newSecret();
const ADMIN = 'handoff-channels-admin-0123456789';
let office: CounsellorSystem;
let bot: BotApiServer;
let wx: WechatApiServer;
let account: Account;
let app: TestApp;
let workers: { close(): Promise<void> };

beforeAll(async () => {
  office = await startCounsellorSystem(SECRET);
  bot = await startBotApiServer();
  wx = await startWechatApiServer();
  account = {
    token: 'lamtonWechatToken',
    aesKey: 'c'.repeat(21) + 'D'.repeat(22),
    appId: wx.appId,
  };
  app = await startTestApp({
    ADMIN_TOKEN: ADMIN,
    COUNSELLOR_WEBHOOK_URL: office.url,
    COUNSELLOR_WEBHOOK_SECRET: SECRET,
    TELEGRAM_BOT_TOKEN: bot.token,
    TELEGRAM_API_ROOT: bot.apiRoot,
    TELEGRAM_MODE: 'polling',
    WECHAT_APPID: wx.appId,
    WECHAT_APPSECRET: wx.appSecret,
    WECHAT_TOKEN: account.token,
    WECHAT_AES_KEY: account.aesKey,
    WECHAT_API_ROOT: wx.apiRoot,
    WECHAT_TEMPLATE_ID: 'tmpl-reply-waiting',
  });
  await app.deps.telegram!.start();
  await (app.deps.channels.find((c) => c.id === 'wechat') as WechatChannel).start();
  workers = await startHandoffTestWorkers(app.deps);
});
afterAll(async () => {
  await workers?.close();
  await (app?.deps.channels.find((c) => c.id === 'wechat') as WechatChannel | undefined)?.stop();
  await app?.close();
  await bot?.close();
  await wx?.close();
  await office?.close();
});

const buttons = (m: SentMessage) =>
  (
    m.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined
  )?.inline_keyboard?.flat() ?? [];

describe('Telegram', () => {
  it('Chinese: /human, a voice note as our own link, the reply in the chat, a rating by button', async () => {
    const chat = 7101;
    bot.pushUpdate(commandUpdate(chat, 'start'));
    const hello = await bot.waitForSent((m) => m.chatId === chat);
    bot.pushUpdate(callbackUpdate(chat, buttons(hello)[0]!.callback_data, hello.messageId));
    await bot.waitForSent((m) => m.chatId === chat && m.messageId !== hello.messageId);
    const before = bot.sent(chat).length;
    bot.pushUpdate(commandUpdate(chat, 'human'));
    const opened = await bot.waitForSent(
      (m) => m.chatId === chat && bot.sent(chat).indexOf(m) >= before,
    );
    expect(opened.text).toContain('就业指导员');
    const requested = await office.waitFor('handoff.requested', (d) => d.channel === 'telegram');
    const caseId = requested.data.caseId as string;
    expect(requested.data.language).toBe('zh-CN');

    // A voice note: forwarded with a link of ours that serves the bytes, with no bot token in it.
    const voice = mediaUpdate(chat, 'voice');
    const fileId = (voice as unknown as { message: { voice: { file_id: string } } }).message.voice
      .file_id;
    bot.addFile(fileId, Buffer.from('OggS-fake-voice-bytes'));
    bot.pushUpdate(voice);
    const forwarded = await office.waitFor(
      'case.message',
      (d) => d.caseId === caseId && typeof d.mediaUrl === 'string',
    );
    const mediaUrl = forwarded.data.mediaUrl as string;
    expect(mediaUrl).not.toContain(bot.token);
    expect(mediaUrl).not.toContain(bot.apiRoot);
    const path = new URL(mediaUrl).pathname;
    const media = await fetch(`${app.url}${path}`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await media.arrayBuffer()).toString()).toBe('OggS-fake-voice-bytes');
    // A link whose token was changed gets nothing.
    const forged = await fetch(`${app.url}${path.slice(0, -3)}abc`);
    expect(forged.status).toBe(404);

    await office.call(app.url, 'counsellor.reply', {
      caseId,
      text: '收到您的语音了，我明天给您回电话。',
    });
    const reply = await bot.waitForSent(
      (m) => m.chatId === chat && m.text.includes('我明天给您回电话'),
    );
    expect(reply.text).toContain('【就业指导员】');

    await office.call(app.url, 'case.closed', { caseId });
    const ask = await bot.waitForSent(
      (m) => m.chatId === chat && buttons(m).some((b) => b.callback_data.startsWith('case#r:')),
    );
    const five = buttons(ask).find((b) => b.callback_data.endsWith(':5'))!;
    bot.pushUpdate(callbackUpdate(chat, five.callback_data, ask.messageId));
    await bot.waitForSent((m) => m.chatId === chat && m.text.includes('谢谢您的评价'));
  });

  /** A Chinese Telegram chat that asks `question`, then /human: the case it opens. */
  async function telegramCase(chat: number, question: string): Promise<string> {
    bot.pushUpdate(commandUpdate(chat, 'start'));
    const hello = await bot.waitForSent((m) => m.chatId === chat);
    bot.pushUpdate(callbackUpdate(chat, buttons(hello)[0]!.callback_data, hello.messageId));
    await bot.waitForSent((m) => m.chatId === chat && m.messageId !== hello.messageId);
    bot.pushUpdate(textUpdate(chat, question));
    await bot.waitForSent((m) => m.chatId === chat && bot.sent(chat).length >= 3);
    bot.pushUpdate(commandUpdate(chat, 'human'));
    const requested = await office.waitFor('handoff.requested', (d) =>
      JSON.stringify(d.transcript).includes(question),
    );
    await bot.waitForSent((m) => m.chatId === chat && m.text.includes('就业指导员'));
    return requested.data.caseId as string;
  }

  it('delivers a counsellor’s replies in the order written, even when the first meets a 429', async () => {
    // Each reply was its own job: the first waited out its 429 and arrived last.
    const chat = 7103;
    const caseId = await telegramCase(chat, '失业登记的顺序是怎样的');
    bot.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      parameters: { retry_after: 3 },
    });
    for (const step of ['第一步：带身份证', '第二步：去城关区服务站', '第三步：填登记表'])
      await office.call(app.url, 'counsellor.reply', { caseId, text: step });
    await bot.waitForSent((m) => m.chatId === chat && m.text.includes('第三步'), 30_000);
    await until(async () =>
      bot.sent(chat).filter((m) => m.text.includes('步：')).length === 3 ? true : undefined,
    );
    const order = bot
      .sent(chat)
      .filter((m) => m.text.includes('步：'))
      .map((m) => /第(.)步/u.exec(m.text)?.[1]);
    expect(order).toEqual(['一', '二', '三']);
  });

  it('a reply the channel refuses for good does not hold the case’s later replies', async () => {
    // Refused (400) for good, the first reply stayed undelivered, and every later reply's job
    // tried it first, failed and gave up: the person heard nothing more from the counsellor.
    const chat = 7104;
    const caseId = await telegramCase(chat, '就业困难人员认定要带什么材料');
    bot.refuseText('拒收的回复');
    await office.call(app.url, 'counsellor.reply', { caseId, text: '拒收的回复' });
    await bot.waitForCall('sendMessage', (p) => String(p.text).includes('拒收的回复'));
    for (const text of ['之后的回复一', '之后的回复二'])
      await office.call(app.url, 'counsellor.reply', { caseId, text });
    await bot.waitForSent((m) => m.chatId === chat && m.text.includes('之后的回复二'), 15_000);
    const later = bot
      .sent(chat)
      .filter((m) => m.text.includes('之后的回复'))
      .map((m) => /回复(.)/u.exec(m.text)?.[1]);
    expect(later).toEqual(['一', '二']);
  });

  it('Tibetan: the counsellor’s reply comes back in the Tibetan chat', async () => {
    const chat = 7102;
    bot.pushUpdate(commandUpdate(chat, 'start'));
    const hello = await bot.waitForSent((m) => m.chatId === chat);
    bot.pushUpdate(callbackUpdate(chat, buttons(hello)[1]!.callback_data, hello.messageId));
    await bot.waitForSent((m) => m.chatId === chat && m.messageId !== hello.messageId);
    bot.pushUpdate(textUpdate(chat, 'ལམ་སྟོན་པ'));
    const opened = await bot.waitForSent(
      (m) => m.chatId === chat && m.text.includes('ལས་ཞུགས་ལམ་སྟོན་པ'),
    );
    expect(opened.text).toMatch(TIBETAN);
    const requested = await office.waitFor(
      'handoff.requested',
      (d) => d.channel === 'telegram' && d.language === 'bo',
    );
    await office.call(app.url, 'counsellor.reply', {
      caseId: requested.data.caseId,
      text: 'ཁྱེད་ཀྱི་འཕྲིན་ཡིག་ཐོབ་སོང་།',
    });
    await bot.waitForSent((m) => m.chatId === chat && m.text.includes('ཁྱེད་ཀྱི་འཕྲིན་ཡིག་ཐོབ་སོང'));
  });
});

describe('WeChat', () => {
  let msgId = 31_000_000_000_000_000n;
  const post = async (xml: string) => {
    const { url, body } = callback(account, xml, { aes: true });
    return app.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'text/xml' },
      payload: body,
    });
  };
  const text = (from: string, content: string) =>
    messageXml({
      ToUserName: 'gh_lamton',
      FromUserName: from,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: content,
      MsgId: String(++msgId),
    });

  it('人工 opens a case; the reply comes as a customer-service message; outside the window a template, then the reply in full', async () => {
    const person = `o-${randomUUID()}`;
    await post(text(person, '你好'));
    const opened = replyText(account, (await post(text(person, '人工'))).body)!;
    expect(opened).toContain('就业指导员');
    const requested = await office.waitFor('handoff.requested', (d) => d.channel === 'wechat');
    const caseId = requested.data.caseId as string;

    // A voice note without WeChat's recognition: forwarded with our link to its MediaId.
    wx.addMedia('media-voice-1', Buffer.from('#!AMR-fake'));
    await post(
      messageXml({
        ToUserName: 'gh_lamton',
        FromUserName: person,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'voice',
        MediaId: 'media-voice-1',
        Format: 'amr',
        MsgId: String(++msgId),
      }),
    );
    const forwarded = await office.waitFor(
      'case.message',
      (d) => d.caseId === caseId && typeof d.mediaUrl === 'string',
    );
    const media = await fetch(`${app.url}${new URL(forwarded.data.mediaUrl as string).pathname}`);
    expect(Buffer.from(await media.arrayBuffer()).toString()).toBe('#!AMR-fake');

    await office.call(app.url, 'counsellor.reply', {
      caseId,
      text: '您好，我是李老师，请问您在哪个区？',
    });
    const cs = await wx.waitForSent(
      (m) => m.kind === 'custom' && m.touser === person && (m.content ?? '').includes('李老师'),
    );
    expect(cs.content).toContain('【就业指导员】');

    // Two days later the window is shut: a template says a reply waits; writing shows it.
    await app.deps.redis.del(`${app.deps.prefix}wechat:window:${person}`);
    await office.call(app.url, 'counsellor.reply', { caseId, text: '城关区的招聘会在周五上午。' });
    const template = await wx.waitForSent((m) => m.kind === 'template' && m.touser === person);
    expect(JSON.stringify(template.body)).toContain('就业指导员回复了您');
    expect(wx.sent(person).some((m) => (m.content ?? '').includes('城关区的招聘会'))).toBe(false);
    const back = replyText(account, (await post(text(person, '我回来了'))).body) ?? '';
    const pushed = wx
      .sent(person)
      .map((m) => m.content ?? '')
      .join('\n');
    expect(`${back}\n${pushed}`).toContain('城关区的招聘会在周五上午');

    // Closing asks for a rating as a numbered list whose n-th line is the score n: "5" is 5.
    await office.call(app.url, 'case.closed', { caseId });
    const ask = await wx.waitForSent(
      (m) => m.kind === 'custom' && m.touser === person && /^1\. 1 /mu.test(m.content ?? ''),
    );
    expect(ask.content).toMatch(/^5\. 5 /mu);
    const rated = replyText(account, (await post(text(person, '5'))).body) ?? '';
    expect(rated).toContain('谢谢您的评价');
    const view = await fetch(`${app.url}/api/admin/cases/${caseId}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(((await view.json()) as { rating: number }).rating).toBe(5);
    // Later, "1" means the buttons in front of the person then (the menu), not a rating again.
    await post(text(person, '菜单'));
    expect(replyText(account, (await post(text(person, '1'))).body)).not.toContain('谢谢您的评价');
  });

  it('Tibetan keyword on WeChat answers in Tibetan and reaches the office in bo', async () => {
    const person = `o-${randomUUID()}`;
    await post(text(person, 'བཀྲ་ཤིས་བདེ་ལེགས'));
    const opened = replyText(account, (await post(text(person, 'མི་ངོ་མ'))).body)!;
    expect(opened).toMatch(TIBETAN);
    const e = await office.waitFor(
      'handoff.requested',
      (d) => d.channel === 'wechat' && d.language === 'bo',
    );
    await office.call(app.url, 'counsellor.reply', {
      caseId: e.data.caseId,
      text: 'སང་ཉིན་ཕེབས་རོགས།',
    });
    await until(async () =>
      wx.sent(person).some((m) => (m.content ?? '').includes('སང་ཉིན་ཕེབས་རོགས')) ? true : undefined,
    );
  });
});
