/**
 * The journey on the other channels (issue 12): the intake in Tibetan through WeChat
 * (wechaty-puppet-mock, numbered lists), /mydata in Tibetan, a WeChat chat and a Telegram chat
 * (telegraf polling a Bot API server on loopback) joined into one person with /link — the
 * language and the profile follow —, and /delete on Telegram removing the person from both
 * channels with `person.deleted` sent. Real app, Redis, FerretDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { createWechatChannel, type WechatChannel } from '../src/channels/wechat/wechat.channel.js';
import { startTestApp, type TestApp } from './support/app.js';
import { inlineButtons, sentText, telegramChat, wechatPeople } from './support/chats.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { newSecret, startCounsellorSystem, type CounsellorSystem } from './support/counsellor.js';
import { startHandoffTestWorkers } from './support/handoff.js';

const TIBETAN = /[\u0F40-\u0FBC]/u;
const HAN = /\p{Script=Han}/u;
const SECRET = newSecret();
let office: CounsellorSystem;
let bot: BotApiServer;
let app: TestApp;
let wechat: WechatChannel;
let mocker: mock.Mocker;
let people: ReturnType<typeof wechatPeople>;
let workers: { close(): Promise<void> };

beforeAll(async () => {
  office = await startCounsellorSystem(SECRET);
  bot = await startBotApiServer();
  app = await startTestApp({
    DATA_KEY: 'journey-channels-data-key-0123456789abcdef',
    COUNSELLOR_WEBHOOK_URL: office.url,
    COUNSELLOR_WEBHOOK_SECRET: SECRET,
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
  workers = await startHandoffTestWorkers(app.deps);
});
afterAll(async () => {
  await workers?.close();
  await wechat?.stop();
  await app?.close();
  await bot?.close();
  await office?.close();
});

/** A new person on WeChat (the mock puppet). */
const wechatPerson = () => people();
const identity = (id: string) =>
  app.deps.mongo
    .collection<{ _id: string; personId: mongoose.Types.ObjectId }>('identities')
    .findOne({ _id: id });

describe('WeChat (mock puppet) in Tibetan, then Telegram joined with /link', () => {
  it('takes the intake in Tibetan, shows /mydata in Tibetan, links Telegram, and erases both on /delete', async () => {
    const wx = wechatPerson();
    const menu = await wx.say('བཀྲ་ཤིས་བདེ་ལེགས།');
    expect(menu).toMatch(/^10\. /mu);
    const me = await wx.say('10');
    expect(me).toMatch(TIBETAN);
    const consent = await wx.say('1');
    expect(consent).toMatch(TIBETAN);
    expect(consent).not.toMatch(HAN);
    expect(consent).toMatch(/^1\. /mu);
    const districts = await wx.say('1'); // agree
    expect(districts).toContain('ཁྲིན་ཀོན་ཆུས');
    await wx.say('1'); // 城关区
    await wx.say('5'); // 55 and over
    const person = await identity(`wechat:${wx.id}`);
    const personId = String(person?.personId);
    const raw = await app.deps.mongo
      .collection('people')
      .findOne({ _id: new mongoose.Types.ObjectId(personId) });
    expect(raw).toMatchObject({
      language: 'bo',
      district: '城关区',
      profile: { ageGroup: '55-plus' },
    });

    const mydata = await wx.say('ངའི་གཞི་གྲངས');
    expect(mydata).toContain('ཁྲིན་ཀོན་ཆུས');
    expect(mydata).not.toMatch(HAN);

    // /link: a code on WeChat, sent from Telegram (whose chat never chose a language).
    const code = /(\d{6})/.exec(await wx.say('ལམ་ཀ་སྦྲེལ'))?.[1];
    expect(code).toBeDefined();
    const tg = telegramChat(bot, 7301);
    const linked = await tg.command('link', code);
    expect(sentText(linked)).toMatch(TIBETAN);
    expect((await identity('telegram:7301'))?.personId.toHexString()).toBe(personId);
    const tgData = await tg.command('mydata');
    // The person's language and profile follow them to Telegram.
    expect(sentText(tgData)).toContain('ཁྲིན་ཀོན་ཆུས');
    expect(sentText(tgData)).toContain('Telegram');

    // /delete on Telegram: confirm with the button; both channels' records go.
    const ask = await tg.command('delete');
    const confirm = inlineButtons(ask.at(-1)).find((b) =>
      b.callback_data.startsWith('privacy:delete#confirm'),
    );
    expect(confirm).toBeDefined();
    const gone = await tg.press(confirm!.callback_data, ask.at(-1)!.messageId);
    expect(sentText(gone)).toMatch(TIBETAN);
    expect(await identity('telegram:7301')).toBeNull();
    expect(await identity(`wechat:${wx.id}`)).toBeNull();
    expect(
      await app.deps.mongo
        .collection('people')
        .countDocuments({ _id: new mongoose.Types.ObjectId(personId) }),
    ).toBe(0);
    const deleted = await office.waitFor('person.deleted', (d) => d.personId === personId);
    expect(deleted.data).toEqual({ personId });
    // WeChat's next message is a first contact (its session was forgotten with the person).
    await wx.say('你好');
    expect(String((await identity(`wechat:${wx.id}`))?.personId)).not.toBe(personId);
  });
});
