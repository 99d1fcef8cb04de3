import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri } from './support/app.js';
import { freePort, kill, startAppProcess } from './support/servers.js';
import { startWechatApiServer, type WechatApiServer } from './support/wechat/api-server.js';
import { callback, messageXml, replyText, type Account } from './support/wechat/callbacks.js';

/**
 * Issue 9 with issue 8's rule: one of two web processes is SIGKILLed while a WeChat callback's
 * turn runs; WeChat's retry 5 s later (it retries a callback it got no answer for) reaches the
 * other process and is answered, once — the dead process's claim has lapsed by then.
 */
describe('a WeChat callback whose process was killed mid-turn', () => {
  let wx: WechatApiServer;
  let port = 0;
  let other = 0;
  let child: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  let redis: Redis;
  const account: Account = { token: 'crashWechatToken', aesKey: 'c'.repeat(43), appId: '' };
  const db = `test_wxcrash_${Date.now()}`;

  const startProcess = (at: number) =>
    startAppProcess(at, {
      MONGODB_URI: testMongoUri(db),
      WECHAT_APPID: wx.appId,
      WECHAT_APPSECRET: wx.appSecret,
      WECHAT_TOKEN: account.token,
      WECHAT_AES_KEY: account.aesKey,
      WECHAT_API_ROOT: wx.apiRoot,
    });
  const deliver = (xml: string, at = port) => {
    const { url, body } = callback(account, xml, { aes: true });
    return fetch(`http://127.0.0.1:${at}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    }).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      () => ({ status: 0, body: '' }),
    );
  };

  beforeAll(async () => {
    wx = await startWechatApiServer();
    account.appId = wx.appId;
    port = await freePort();
    other = await freePort();
    redis = new Redis(process.env.REDIS_URL ?? '');
  });
  afterAll(async () => {
    if (child) await kill(child);
    if (second) await kill(second);
    await redis.quit();
    await wx.close();
  });

  it('answers WeChat’s retry on the other process, once', async () => {
    [child, second] = await Promise.all([startProcess(port), startProcess(other)]);
    const person = `o-crash-${randomUUID()}`;
    const xml = messageXml({
      ToUserName: 'gh_lamton',
      FromUserName: person,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: '失业金怎么领',
      MsgId: String(40_000_000_000_000_000n + BigInt(Date.now())),
    });
    // Hold the conversation so the turn is in flight (its callback claimed) when the kill comes.
    const lock = `lamton:lock:wechat:${person}`;
    await redis.set(lock, 'held-by-test', 'PX', 30_000);
    const sentAt = Date.now();
    const first = deliver(xml);
    await new Promise((r) => setTimeout(r, 700));
    await kill(child);
    expect((await first).status).toBe(0); // the connection died with the process
    await redis.del(lock);

    // WeChat waits 5 s for an answer, then retries (here: the other process).
    await new Promise((r) => setTimeout(r, Math.max(0, sentAt + 5_000 - Date.now())));
    const retry = await deliver(xml, other);
    expect(retry.status).toBe(200);
    const passive = replyText(account, retry.body);
    const pushed = () => wx.sent(person).length;
    // Answered: passively, or "success" and a customer-service message.
    if (passive === null) await expect.poll(pushed, { timeout: 15_000 }).toBe(1);
    else expect(passive).toMatch(/失业/u);
    const again = await deliver(xml, other);
    expect(again.body).toBe('success');
    await new Promise((r) => setTimeout(r, 500));
    expect((passive === null ? 0 : 1) + pushed()).toBe(1);
  }, 180_000);
});
