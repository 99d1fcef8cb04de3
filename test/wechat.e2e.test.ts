import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatApi } from '../src/channels/wechat/api.js';
import { buildMenu, MENU_LIMITS } from '../src/channels/wechat/menu.js';
import { menuLinkUrl } from '../src/channels/wechat/oauth.js';
import type { WechatChannel } from '../src/channels/wechat/wechat.channel.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startWechatApiServer, type WechatApiServer } from './support/wechat/api-server.js';
import { callback, messageXml, replyText, type Account } from './support/wechat/callbacks.js';

const TIBETAN = /[\u0F40-\u0FBC]/u;
const HAN = /\p{Script=Han}/u;

describe('WeChat Official Account (our wechaty puppet, safe mode) against a WeChat API on loopback', () => {
  let api: WechatApiServer;
  let t: TestApp;
  let account: Account;
  let wechat: WechatChannel;

  beforeAll(async () => {
    api = await startWechatApiServer();
    account = {
      token: 'lamtonWechatToken',
      aesKey: 'a'.repeat(21) + 'B'.repeat(22),
      appId: api.appId,
    };
    t = await startTestApp(
      {
        WECHAT_APPID: api.appId,
        WECHAT_APPSECRET: api.appSecret,
        WECHAT_TOKEN: account.token,
        WECHAT_AES_KEY: account.aesKey,
        WECHAT_API_ROOT: api.apiRoot,
        PUBLIC_URL: 'https://lamton.example.org',
      },
      { listen: false },
    );
    wechat = t.deps.channels.find((c) => c.id === 'wechat') as WechatChannel;
    await wechat.start();
  });
  afterAll(async () => {
    await wechat?.stop();
    await t?.close();
    await api?.close();
  });

  const post = async (xml: string, opts: { aes?: boolean; forge?: boolean } = { aes: true }) => {
    const { url, body } = callback(account, xml, opts);
    return t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'text/xml' },
      payload: body,
    });
  };
  let msgId = 24_000_000_000_000_000n;
  const text = (from: string, content: string) =>
    messageXml({
      ToUserName: 'gh_lamton',
      FromUserName: from,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: content,
      MsgId: String(++msgId), // larger than a JavaScript number holds exactly
    });
  const event = (from: string, ev: string, key?: string) =>
    messageXml({
      ToUserName: 'gh_lamton',
      FromUserName: from,
      CreateTime: Math.floor(Date.now() / 1000) + Number(++msgId % 1000n),
      MsgType: 'event',
      Event: ev,
      ...(key ? { EventKey: key } : {}),
    });

  it('answers the URL check with echostr only when the signature is right', async () => {
    const { url } = callback(account, '', { aes: false });
    const ok = await t.app.inject({ method: 'GET', url: `${url}&echostr=hello123` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('hello123');
    const forged = callback(account, '', { aes: false, forge: true });
    const bad = await t.app.inject({ method: 'GET', url: `${forged.url}&echostr=hello123` });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).not.toContain('hello123');
  });

  it('follow → bilingual welcome with a numbered language choice; "2" → Tibetan; a Tibetan question answered in Tibetan', async () => {
    const person = `o-${randomUUID()}`;
    const welcome = await post(event(person, 'subscribe'));
    expect(welcome.statusCode).toBe(200);
    const hello = replyText(account, welcome.body)!;
    expect(hello).toMatch(HAN);
    expect(hello).toMatch(TIBETAN);
    expect(hello).toMatch(/1\. 中文\n2\. བོད་ཡིག/u);

    const menu = replyText(account, (await post(text(person, '2'))).body)!;
    expect(menu).toMatch(TIBETAN);
    expect(menu).not.toMatch(HAN);
    // The welcome, the prompt and nine items pass WeChat's 2,048 bytes in Tibetan: the numbered
    // list follows as a customer-service message when it does not fit in the passive reply.
    const list = /^1\. /mu.test(menu)
      ? menu
      : (await api.waitForSent((m) => m.touser === person && /^1\. /mu.test(m.content ?? '')))
          .content;
    expect(list).toMatch(/^9\. /mu);

    const answer = replyText(
      account,
      (await post(text(person, 'ཧྲི་ཡེ་ཅིན་ག་འདྲ་བྱས་ནས་ལེན་དགོས།'))).body,
    )!;
    expect(answer).toMatch(TIBETAN);
    expect(Buffer.byteLength(answer)).toBeLessThanOrEqual(2048);
  });

  it('holds a Chinese conversation in plaintext mode too: "二" picks the second, a policy question gets its card', async () => {
    // An account without an EncodingAESKey (plaintext mode): an app and API server of its own.
    const plainApi = await startWechatApiServer();
    const plainApp = await startTestApp(
      {
        WECHAT_APPID: plainApi.appId,
        WECHAT_APPSECRET: plainApi.appSecret,
        WECHAT_TOKEN: account.token,
        WECHAT_API_ROOT: plainApi.apiRoot,
      },
      { listen: false },
    );
    const plainChannel = plainApp.deps.channels.find((c) => c.id === 'wechat') as WechatChannel;
    await plainChannel.start();
    try {
      const plainPost = async (xml: string) => {
        const { url, body } = callback(account, xml, { aes: false });
        return plainApp.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'text/xml' },
          payload: body,
        });
      };
      const person = `o-${randomUUID()}`;
      // A newcomer writing Chinese gets the Chinese menu at once, as a numbered list.
      const menu = replyText(account, (await plainPost(text(person, '你好'))).body)!;
      expect(menu).toMatch(/^2\. 职业能力自我测评$/mu);
      expect(menu).not.toMatch(TIBETAN);
      const second = replyText(account, (await plainPost(text(person, '二'))).body)!;
      expect(second).toMatch(/测评/u);
      await plainPost(text(person, '菜单'));
      const answer = replyText(account, (await plainPost(text(person, '失业金怎么领'))).body)!;
      expect(answer).toMatch(/失业/u);
      // A plaintext callback signed over 5 minutes ago is refused: replayed, its signature
      // would carry any body.
      const { url, body } = callback(account, text(person, '我的数据'), { aes: false });
      const q = new URLSearchParams(url.split('?')[1]);
      const stale = String(Math.floor(Date.now() / 1000) - 301);
      q.set('timestamp', stale);
      q.set(
        'signature',
        createHash('sha1')
          .update([account.token, stale, q.get('nonce')!].sort().join(''))
          .digest('hex'),
      );
      const replayed = await plainApp.app.inject({
        method: 'POST',
        url: `/webhooks/wechat?${q.toString()}`,
        headers: { 'content-type': 'text/xml' },
        payload: body,
      });
      expect(replayed.statusCode).toBe(401);
    } finally {
      await plainChannel.stop();
      await plainApp.close();
      await plainApi.close();
    }
  });

  it('in safe mode refuses a plaintext callback (its signature does not cover the body)', async () => {
    const person = `o-${randomUUID()}`;
    // One signature seen once let anyone write as any person, and read their data back.
    expect((await post(text(person, '我的数据'), { aes: false })).statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(api.sent(person)).toEqual([]);
  });

  it('answers at once a callback wechaty drops (from the account itself), and lets its claim go', async () => {
    const started = Date.now();
    const res = await post(
      messageXml({
        ToUserName: 'gh',
        FromUserName: api.appId,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'text',
        Content: '你好',
        MsgId: String(++msgId),
      }),
    );
    expect(res.body).toBe('success');
    // It waited for WeChat's 4 s and its turn never ended (a claim renewed for ever).
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((r) => setTimeout(r, 100));
    const claim = await t.deps.redis.get(`${t.deps.prefix}wechat:cb:msg:${msgId}`);
    expect(claim === null || !claim.startsWith('pending:')).toBe(true);
  });

  it('answers a repeated MsgId once (WeChat retries a callback up to three times)', async () => {
    const person = `o-${randomUUID()}`;
    await post(event(person, 'subscribe'));
    const xml = text(person, '1');
    const [a, b, c] = await Promise.all([post(xml), post(xml), post(xml)]);
    const replies = [a, b, c].map((r) => replyText(account, r.body));
    expect([a, b, c].every((r) => r.statusCode === 200)).toBe(true);
    expect(replies.filter((r) => r !== null)).toHaveLength(1);
    expect([a, b, c].filter((r) => r.body === 'success')).toHaveLength(2);
    expect(api.sent(person)).toEqual([]);
  });

  it('refuses a forged signature or msg_signature with 401 and does nothing', async () => {
    const person = `o-${randomUUID()}`;
    expect((await post(text(person, '你好'), { aes: true, forge: true })).statusCode).toBe(401);
    const { url, body } = callback(account, text(person, '你好'), { aes: true });
    const tampered = url.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`);
    const res = await t.app.inject({
      method: 'POST',
      url: tampered,
      headers: { 'content-type': 'text/xml' },
      payload: body,
    });
    expect(res.statusCode).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(api.sent(person)).toEqual([]);
  });

  it('never answers 5xx to bad bodies: malformed XML 400, oversized 413, unknown types "success" or a reply', async () => {
    const person = `o-${randomUUID()}`;
    expect((await post('<xml><MsgType>text', { aes: true })).statusCode).toBe(400);
    expect((await post('not xml at all', { aes: true })).statusCode).toBe(400);
    const huge = await post(text(person, '长'.repeat(100_000)), { aes: true });
    expect(huge.statusCode).toBe(413);
    const odd = await post(
      messageXml({
        ToUserName: 'gh',
        FromUserName: person,
        CreateTime: 1,
        MsgType: 'hologram',
        MsgId: String(++msgId),
      }),
      { aes: true },
    );
    expect(odd.statusCode).toBe(200);
    const weird = await post(messageXml({ Nothing: 'here' }), { aes: true });
    expect(weird.statusCode).toBe(200);
    expect(weird.body).toBe('success');
  });

  it('a voice note: WeChat’s recognition is read as text; without it, a reply still comes', async () => {
    const person = `o-${randomUUID()}`;
    await post(event(person, 'subscribe'));
    await post(text(person, '1'));
    const voice = (recognition?: string) =>
      messageXml({
        ToUserName: 'gh_lamton',
        FromUserName: person,
        CreateTime: Math.floor(Date.now() / 1000),
        MsgType: 'voice',
        MediaId: 'media-123',
        Format: 'amr',
        ...(recognition ? { Recognition: recognition } : {}),
        MsgId: String(++msgId),
      });
    const heard = replyText(account, (await post(voice('失业金怎么领'))).body)!;
    expect(heard).toMatch(/失业/u);
    const unheard = replyText(account, (await post(voice())).body);
    expect(unheard).toBeTruthy();
  });

  it('the customer-service sender: token refreshed once after 40001; typed failures for a closed window and a block', async () => {
    const sender = t.deps.senders.get('wechat')!;
    const person = `o-${randomUUID()}`;
    // No message from this person yet: outside the 48-hour window, nothing is sent.
    await expect(sender.send(person, [{ text: '招聘会', lang: 'zh-CN' }])).rejects.toMatchObject({
      kind: 'windowClosed',
    });
    expect(api.sent(person)).toEqual([]);
    await post(event(person, 'subscribe'));
    const before = api.tokensIssued();
    api.expireToken();
    await sender.send(person, [{ text: '招聘会明天开始', lang: 'zh-CN' }]);
    expect(api.sent(person).map((m) => m.content)).toEqual(['招聘会明天开始']);
    expect(api.tokensIssued()).toBe(before + 1);
    api.failNext('/cgi-bin/message/custom/send', 45015, 'response out of time limit');
    await expect(sender.send(person, [{ text: 'x', lang: 'zh-CN' }])).rejects.toMatchObject({
      kind: 'windowClosed',
    });
    api.failNext('/cgi-bin/message/custom/send', 43004, 'require subscribe');
    await expect(sender.send(person, [{ text: 'x', lang: 'zh-CN' }])).rejects.toMatchObject({
      kind: 'blocked',
    });
    // At most 5 messages per window: the sixth is refused before it reaches WeChat.
    for (let i = 0; i < 4; i++) await sender.send(person, [{ text: `n${i}`, lang: 'zh-CN' }]);
    await expect(sender.send(person, [{ text: 'sixth', lang: 'zh-CN' }])).rejects.toMatchObject({
      kind: 'windowClosed',
    });
    expect(api.sent(person).map((m) => m.content)).not.toContain('sixth');
    // An unfollow closes the window at once, and the person is unreachable on WeChat.
    await post(event(person, 'unsubscribe'));
    expect(await t.deps.people.unreachableSince('wechat', person)).toBeInstanceOf(Date);
    await expect(sender.send(person, [{ text: 'x', lang: 'zh-CN' }])).rejects.toMatchObject({
      kind: 'windowClosed',
    });
    await post(event(person, 'subscribe')); // followed again
    expect(await t.deps.people.unreachableSince('wechat', person)).toBeNull();
  });

  it('the custom menu: within WeChat’s limits, every click a flow choice, set through the API; a click answers', async () => {
    const menu = buildMenu(t.deps.translator, menuLinkUrl('https://lamton.example.org'));
    expect(menu.button.length).toBeLessThanOrEqual(MENU_LIMITS.top);
    for (const top of menu.button) {
      expect(Buffer.byteLength(top.name)).toBeLessThanOrEqual(MENU_LIMITS.topBytes);
      expect(top.sub_button.length).toBeLessThanOrEqual(MENU_LIMITS.sub);
      for (const b of top.sub_button) {
        expect(Buffer.byteLength(b.name)).toBeLessThanOrEqual(MENU_LIMITS.subBytes);
        if (b.type === 'click') {
          const [ref, id] = b.key.split('#');
          expect(
            t.deps.flows.node(ref!)?.choices?.some((c) => c.id === id),
            b.key,
          ).toBe(true);
        } else expect(b.url).toBe('https://lamton.example.org/wechat/login');
      }
    }
    const names = menu.button.flatMap((b) => b.sub_button.map((s) => s.name));
    expect(names).toContain('བོད་ཡིག');
    expect(names.some((n) => TIBETAN.test(n) && HAN.test(n))).toBe(true); // bilingual where it fits
    const client = createWechatApi({
      appId: api.appId,
      appSecret: api.appSecret,
      apiRoot: api.apiRoot,
      redis: t.deps.redis,
      prefix: t.deps.prefix,
      log: t.deps.log,
    });
    await client.post('/cgi-bin/menu/create', menu);
    expect(api.sent().filter((m) => m.kind === 'menu')).toHaveLength(1);
    // Template messages (outreach outside the 48-hour window) go through the same client.
    const msgid = await client.sendTemplate('o-template', 'TPL_job_fair', {
      first: { value: '招聘会' },
    });
    expect(msgid).toMatch(/^\d+$/);
    expect(api.sent('o-template')[0]).toMatchObject({
      kind: 'template',
      body: { template_id: 'TPL_job_fair', data: { first: { value: '招聘会' } } },
    });

    const person = `o-${randomUUID()}`;
    await post(event(person, 'subscribe'));
    await post(text(person, '1'));
    const click = replyText(
      account,
      (await post(event(person, 'CLICK', 'main:menu#policy'))).body,
    )!;
    expect(click).toMatch(/政策|问题/u);
  });

  it('the web chat opened from the menu (OAuth snsapi_base) continues the person’s WeChat conversation', async () => {
    const person = `o-${randomUUID()}`;
    await post(event(person, 'subscribe'));
    await post(text(person, '2')); // བོད་ཡིག in WeChat
    // The menu's link gives this browser a state and sends it to WeChat's OAuth page with it.
    const login = await t.app.inject({ method: 'GET', url: '/wechat/login' });
    expect(login.statusCode).toBe(302);
    const to = new URL(String(login.headers.location));
    expect(to.hostname).toBe('open.weixin.qq.com');
    expect(to.searchParams.get('scope')).toBe('snsapi_base');
    const state = to.searchParams.get('state')!;
    const stateCookie = login.cookies.find((c) => c.name === 'lamton_wx_state')!;
    expect(stateCookie.httpOnly).toBe(true);
    // Coming back without this browser's state (a planted link): nothing is set.
    for (const planted of [
      `/wechat/oauth?code=${api.oauthCode(person)}&state=chat`,
      `/wechat/oauth?code=${api.oauthCode(person)}&state=${state}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url: planted });
      expect(res.statusCode).toBe(302);
      expect(res.cookies.find((c) => c.name === 'lamton_wx')).toBeUndefined();
    }
    const back = await t.app.inject({
      method: 'GET',
      url: `/wechat/oauth?code=${api.oauthCode(person)}&state=${state}`,
      cookies: { lamton_wx_state: stateCookie.value },
    });
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/');
    const cookie = back.cookies.find((c) => c.name === 'lamton_wx');
    expect(cookie?.httpOnly).toBe(true);
    const page = await t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      cookies: { lamton_wx: cookie!.value },
      payload: { clientId: randomUUID(), text: 'དཀར་ཆག' },
    });
    expect(page.statusCode).toBe(200);
    const replies = page.json<{ replies: { text: string; lang: string }[] }>().replies;
    // The page knows the language chosen in WeChat: the same conversation.
    expect(replies[0]!.lang).toBe('bo');
    expect(await t.deps.sessions.get(`wechat:${person}`)).toMatchObject({ lang: 'bo' });

    // A forged cookie, or a code used twice, gives an ordinary anonymous page.
    const again = await t.app.inject({ method: 'GET', url: `/wechat/oauth?code=used-or-made-up` });
    expect(again.statusCode).toBe(302);
    expect(again.cookies.find((c) => c.name === 'lamton_wx')).toBeUndefined();
    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      cookies: { lamton_wx: `${person}.forged-signature` },
      payload: { clientId: randomUUID(), text: '菜单' },
    });
    expect(forged.statusCode).toBe(200);
    expect(forged.json<{ replies: { lang: string }[] }>().replies[0]!.lang).toBe('zh-CN');
    // Another signed cookie of ours (the web chat's session id) does not pass for an OpenID.
    const web = await t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      payload: { clientId: randomUUID(), text: '你好' },
    });
    const sid = web.cookies.find((c) => c.name === 'lamton_sid')!.value;
    const swapped = await t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      cookies: { lamton_wx: sid },
      payload: { clientId: randomUUID(), text: '你好' },
    });
    expect(swapped.statusCode).toBe(200);
    const uuid = decodeURIComponent(sid).split('.')[0]!;
    const identities = t.deps.mongo.collection('identities');
    expect(await identities.countDocuments({ _id: `wechat:${uuid}` as never })).toBe(0);
  });

  it('wechaty sees the person as a contact from the user info API (OpenID, follow state, remark)', async () => {
    const person = `o-${randomUUID()}`;
    api.setRemark(person, '卓玛');
    await post(event(person, 'subscribe'));
    await post(text(person, '1'));
    const contact = await wechat.wechaty.Contact.find({ id: person });
    expect(contact?.id).toBe(person);
    expect(await contact?.alias()).toBe('卓玛');
    expect(contact?.friend()).toBe(true);
  });
});
