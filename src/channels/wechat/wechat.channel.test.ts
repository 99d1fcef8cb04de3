import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { WechatSender } from './sender.js';
import { createWechatChannel } from './wechat.channel.js';
import { CallbackDroppedError } from './webhook.routes.js';
import type { ServiceWindow } from './window.js';

const window: ServiceWindow = {
  opened: async () => undefined,
  reserve: async () => 'ok',
  release: async () => undefined,
  close: async () => undefined,
};
const sender = {
  channel: 'wechat',
  send: async () => ({ messageIds: [] }),
  sendTexts: async () => ({ messageIds: [] }),
  api: {},
} as unknown as WechatSender;

describe('a callback wechaty cannot deliver', () => {
  const channel = createWechatChannel({
    handleInbound: async (event) => [{ text: `heard ${event.messageId}`, lang: 'zh-CN' }],
    log: pino({ level: 'silent' }),
    account: { appId: 'wx-test', sender, window },
    deliveryWithinMs: 300,
  });
  afterAll(async () => {
    await channel.stop?.();
  });

  it('fails within the limit instead of waiting for ever (a MsgId wechaty cannot load)', async () => {
    await channel.start?.();
    const xml = (id: string) => ({
      ToUserName: 'gh',
      FromUserName: 'o-someone',
      CreateTime: '1700000000',
      MsgType: 'text',
      Content: '你好',
      MsgId: id,
    });
    // An ordinary one is delivered and answered.
    expect((await channel.receive(xml('5001'))).join('')).toContain('heard 5001');
    // "__proto__" never reached the message handler: the callback's claim was renewed for ever.
    const started = Date.now();
    await expect(channel.receive(xml('__proto__'))).rejects.toBeInstanceOf(CallbackDroppedError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
