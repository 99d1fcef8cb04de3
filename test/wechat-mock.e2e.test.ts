import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { createWechatChannel, type WechatChannel } from '../src/channels/wechat/wechat.channel.js';
import { startTestApp, type TestApp } from './support/app.js';

const TIBETAN = /[\u0F40-\u0FBC]/u;
const HAN = /\p{Script=Han}/u;

/**
 * Issue 9, B7/B8: the same conversation through another wechaty puppet (`wechaty-puppet-mock`,
 * as WECHATY_PUPPET would pick): replies are said through wechaty, numbered lists and all.
 */
describe('WeChat through wechaty-puppet-mock', () => {
  let t: TestApp;
  let mocker: mock.Mocker;
  let channel: WechatChannel;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: false });
    mocker = new mock.Mocker();
    channel = createWechatChannel({
      handleInbound: t.deps.handleInbound,
      log: t.deps.log,
      puppet: new PuppetMock({ mocker }),
    });
    await channel.start();
  });
  afterAll(async () => {
    await channel?.stop();
    await t?.close();
  });

  it('holds the conversation in both languages', async () => {
    const [bot, person] = mocker.createContacts(2) as [mock.ContactMock, mock.ContactMock];
    mocker.login(bot);
    const heard: string[] = [];
    // A mock contact is an event emitter (its typings do not say so).
    (person as unknown as NodeJS.EventEmitter).on('message', (m: mock.MessageMock) => {
      if (m.payload.talkerId === bot.id) heard.push(m.text() ?? '');
    });
    const next = async (said: string) => {
      const before = heard.length;
      person.say(said).to(bot);
      await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(before);
      await new Promise((r) => setTimeout(r, 200)); // a reply may come in several messages
      return heard.slice(before).join('\n');
    };
    const hello = await next('བཀྲ་ཤིས་བདེ་ལེགས།');
    expect(hello).toMatch(TIBETAN);
    expect(hello).not.toMatch(HAN);
    expect(hello).toMatch(/^1\. /mu);
    const chinese = await next('语言');
    expect(chinese).toMatch(/1\. 中文/u);
    const menu = await next('1');
    expect(menu).toMatch(HAN);
    expect(menu).not.toMatch(TIBETAN);
  });
});
