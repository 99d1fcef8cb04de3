import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { createWechatChannel, type WechatChannel } from '../src/channels/wechat/wechat.channel.js';
import { withChannelSenders } from '../src/channels/registry.js';
import { startTestApp, type TestApp } from './support/app.js';
import { until } from './support/campaigns.js';
import { newSecret, startCounsellorSystem, type CounsellorSystem } from './support/counsellor.js';
import { startHandoffTestWorkers } from './support/handoff.js';

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

  describe('a counsellor through the same puppet', () => {
    const secret = newSecret();
    let office: CounsellorSystem;
    let h: TestApp;
    let ch: WechatChannel;
    let workers: { close(): Promise<void> };
    let m: mock.Mocker;

    beforeAll(async () => {
      office = await startCounsellorSystem(secret);
      h = await startTestApp({
        COUNSELLOR_WEBHOOK_URL: office.url,
        COUNSELLOR_WEBHOOK_SECRET: secret,
      });
      m = new mock.Mocker();
      ch = createWechatChannel({
        handleInbound: h.deps.handleInbound,
        log: h.deps.log,
        puppet: new PuppetMock({ mocker: m }),
      });
      await ch.start();
      // As in `npm start`'s one process: the worker says through the running puppet.
      workers = await startHandoffTestWorkers({
        ...h.deps,
        senders: withChannelSenders(h.deps.senders, [ch]),
      });
    });
    afterAll(async () => {
      await workers?.close();
      await ch?.stop();
      await h?.close();
      await office?.close();
    });

    it('人工 opens a case; the counsellor’s reply is said in the same chat', async () => {
      const [bot, person] = m.createContacts(2) as [mock.ContactMock, mock.ContactMock];
      m.login(bot);
      const heard: string[] = [];
      (person as unknown as NodeJS.EventEmitter).on('message', (msg: mock.MessageMock) => {
        if (msg.payload.talkerId === bot.id) heard.push(msg.text() ?? '');
      });
      person.say('你好').to(bot);
      await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(0);
      person.say('人工').to(bot);
      await until(async () => (heard.some((t) => t.includes('就业指导员')) ? true : undefined));
      const requested = await office.waitFor('handoff.requested', (d) => d.channel === 'wechat');
      const reply = await office.call(h.url, 'counsellor.reply', {
        caseId: requested.data.caseId,
        text: '您好，我是周老师，明天上午给您打电话。',
      });
      expect(reply.status).toBe(200);
      await until(async () =>
        heard.some((t) => t.includes('明天上午给您打电话')) ? true : undefined,
      );
    });
  });
});
