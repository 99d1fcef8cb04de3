import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceWindow } from '../src/channels/wechat/window.js';
import { startTestApp, type TestApp } from './support/app.js';
import { seedPeople, startWorkers, until } from './support/campaigns.js';
import { startWechatApiServer, type WechatApiServer } from './support/wechat/api-server.js';

const ADMIN = 'campaign-wechat-admin-0123456789';
const ZH = '拉萨市就业服务站12月起周六上午也开放，欢迎前来咨询。';
const BO = 'ལྷ་ས་གྲོང་ཁྱེར་གྱི་ལས་ཞུགས་ཞབས་ཞུ་ས་ཚིགས་ཟླ་༡༢་ནས་གཟའ་སྤེན་པའི་སྔ་དྲོ་ཡང་སྒོ་ཕྱེ་རྒྱུ་ཡིན།';

/**
 * Issue 10 over WeChat, against the WeChat API server on loopback: inside a person's 48-hour
 * window a customer-service text (with how to stop); outside it the account's template message,
 * fixed fields linking to the announcement's page; without a template such people are skipped.
 */
describe('outreach campaigns over WeChat', () => {
  let wx: WechatApiServer;
  let t: TestApp;

  beforeAll(async () => {
    wx = await startWechatApiServer();
    t = await startTestApp({
      ADMIN_TOKEN: ADMIN,
      WECHAT_APPID: wx.appId,
      WECHAT_APPSECRET: wx.appSecret,
      WECHAT_TOKEN: 'campaignWechatToken',
      WECHAT_API_ROOT: wx.apiRoot,
      WECHAT_TEMPLATE_ID: 'tmpl-outreach-1',
      PUBLIC_URL: 'https://lamton.example.cn',
      QUIET_HOURS: '00:00-00:00',
    });
  });
  afterAll(async () => {
    await t.close();
    await wx.close();
  });

  it('a customer-service text inside the window, the template outside it, the full text on its page', async () => {
    await seedPeople(t.deps.mongo, [
      { channel: 'wechat', chatId: 'oInside01', language: 'zh-CN' },
      { channel: 'wechat', chatId: 'oInside02', language: 'bo' },
      { channel: 'wechat', chatId: 'oOutside1', language: 'bo' },
      { channel: 'wechat', chatId: 'oGone0001', language: 'zh-CN', unreachable: true },
    ]);
    const window = createServiceWindow(t.deps.redis, t.deps.prefix);
    await window.opened('oInside01');
    await window.opened('oInside02');
    const workers = await startWorkers(t.deps);
    try {
      const res = await fetch(`${t.url}/api/admin/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: '周六开放',
          message: { 'zh-CN': ZH, bo: BO },
          audience: { channels: ['wechat'] },
        }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const done = await until(async () => {
        const c = (await (
          await fetch(`${t.url}/api/admin/campaigns/${id}`, {
            headers: { authorization: `Bearer ${ADMIN}` },
          })
        ).json()) as { status: string; stats: Record<string, number> };
        return c.status === 'completed' ? c : undefined;
      });
      expect(done.stats).toMatchObject({ recipients: 3, sent: 3, skipped: 0 });

      const inside = wx.sent('oInside01');
      expect(inside).toHaveLength(1);
      expect(inside[0]).toMatchObject({ kind: 'custom' });
      expect(inside[0]!.content).toContain(ZH);
      expect(inside[0]!.content).toContain('退订');
      expect(wx.sent('oInside02')[0]!.content).toContain('བརྡ་ཐོ་མཚམས་འཇོག');

      const outside = wx.sent('oOutside1');
      expect(outside).toHaveLength(1);
      expect(outside[0]!.kind).toBe('template');
      const body = outside[0]!.body as {
        template_id: string;
        url: string;
        data: Record<string, { value: string }>;
      };
      expect(body.template_id).toBe('tmpl-outreach-1');
      expect(body.data.keyword1!.value).toBe('周六开放');
      expect(body.url).toBe(`https://lamton.example.cn/announcements/${id}?lang=bo`);
      expect(wx.sent('oGone0001')).toEqual([]);

      const page = await fetch(`${t.url}/announcements/${id}?lang=bo`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(BO);
      expect(html).not.toContain(ZH);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect((await fetch(`${t.url}/announcements/0123456789abcdef01234567`)).status).toBe(404);
      expect((await fetch(`${t.url}/announcements/%3Cscript%3E`)).status).toBe(404);
    } finally {
      await workers.close();
    }
  });

  it('refuses, when written, a message too long for one WeChat text', async () => {
    const res = await fetch(`${t.url}/api/admin/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: '长', message: { 'zh-CN': ZH, bo: BO.repeat(12) } }),
    });
    expect(res.status).toBe(400);
    const { details } = (await res.json()) as { details: { path: string; message: string }[] };
    expect(details.some((d) => d.path === 'message.bo' && d.message.includes('wechat'))).toBe(true);
  });
});
