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
import {
  callbackUpdate,
  commandUpdate,
  startBotApiServer,
  type BotApiServer,
  type SentMessage,
} from './support/bot-api/index.js';
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

/** A person on WeChat through the mock puppet: what they say, and everything said back. */
function wechatPerson() {
  const [botContact, person] = mocker.createContacts(2) as [mock.ContactMock, mock.ContactMock];
  mocker.login(botContact);
  const heard: string[] = [];
  (person as unknown as NodeJS.EventEmitter).on('message', (m: mock.MessageMock) => {
    if (m.payload.talkerId === botContact.id) heard.push(m.text() ?? '');
  });
  return {
    id: person.id,
    async say(text: string): Promise<string> {
      const before = heard.length;
      person.say(text).to(botContact);
      await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(before);
      await new Promise((r) => setTimeout(r, 250)); // a reply may come in several messages
      return heard.slice(before).join('\n');
    },
  };
}

/** A Telegram chat: a command or a button press, and the messages it got back. */
function telegramChat(chat: number) {
  const turn = async (push: () => void): Promise<SentMessage[]> => {
    const before = bot.sent(chat).length;
    push();
    await bot.waitForSent((m) => m.chatId === chat && bot.sent(chat).indexOf(m) >= before);
    await new Promise((r) => setTimeout(r, 250));
    return bot.sent(chat).slice(before);
  };
  return {
    command: (name: string, args?: string) =>
      turn(() => bot.pushUpdate(commandUpdate(chat, name, args))),
    press: (data: string, messageId: number) =>
      turn(() => bot.pushUpdate(callbackUpdate(chat, data, messageId))),
  };
}
const buttons = (m: SentMessage | undefined) =>
  (
    m?.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined
  )?.inline_keyboard?.flat() ?? [];
const text = (ms: SentMessage[]) => ms.map((m) => m.text).join('\n');
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
    const tg = telegramChat(7301);
    const linked = await tg.command('link', code);
    expect(text(linked)).toMatch(TIBETAN);
    expect((await identity('telegram:7301'))?.personId.toHexString()).toBe(personId);
    const tgData = await tg.command('mydata');
    // The person's language and profile follow them to Telegram.
    expect(text(tgData)).toContain('ཁྲིན་ཀོན་ཆུས');
    expect(text(tgData)).toContain('Telegram');

    // /delete on Telegram: confirm with the button; both channels' records go.
    const ask = await tg.command('delete');
    const confirm = buttons(ask.at(-1)).find((b) =>
      b.callback_data.startsWith('privacy:delete#confirm'),
    );
    expect(confirm).toBeDefined();
    const gone = await tg.press(confirm!.callback_data, ask.at(-1)!.messageId);
    expect(text(gone)).toMatch(TIBETAN);
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
