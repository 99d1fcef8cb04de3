import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { ChannelModule, SenderContext } from '../channel.js';
import { createWechatApi, type WechatApi } from './api.js';
import { createWechatCipher } from './crypto.js';
import { createWechatSender, type WechatSender } from './sender.js';
import { createWechatChannel } from './wechat.channel.js';
import { wechatOauthRoutes } from './oauth.js';
import { wechatWebhookRoutes } from './webhook.routes.js';
import { createServiceWindow } from './window.js';

/** Our Official Account is configured (its puppet is used unless WECHATY_PUPPET names another). */
function officialAccount(config: Config): boolean {
  return Boolean(config.WECHAT_APPID && config.WECHAT_APPSECRET && config.WECHAT_TOKEN);
}

function wechatApi(ctx: SenderContext): WechatApi {
  const { config } = ctx;
  return createWechatApi({
    appId: config.WECHAT_APPID ?? '',
    appSecret: config.WECHAT_APPSECRET ?? '',
    apiRoot: config.WECHAT_API_ROOT,
    redis: ctx.redis,
    prefix: ctx.prefix,
    log: ctx.log,
  });
}

function wechatSender(ctx: SenderContext): WechatSender {
  return createWechatSender(wechatApi(ctx), createServiceWindow(ctx.redis, ctx.prefix), {
    templateId: ctx.config.WECHAT_TEMPLATE_ID,
  });
}

/**
 * WeChat: on with an Official Account (WECHAT_APPID, WECHAT_APPSECRET, WECHAT_TOKEN; safe mode
 * with WECHAT_AES_KEY), or with another wechaty puppet named by WECHATY_PUPPET.
 */
export const wechatChannel: ChannelModule = {
  id: 'wechat',
  enabled: (config) => officialAccount(config) || Boolean(config.WECHATY_PUPPET),
  // Customer-service and template messages need the account's AppSecret (not a foreign puppet).
  sender: (ctx) => (officialAccount(ctx.config) ? wechatSender(ctx) : undefined),
  inbound(ctx, sender) {
    const { config } = ctx;
    const useOwn = officialAccount(config) && !config.WECHATY_PUPPET;
    const own = useOwn ? ((sender as WechatSender | undefined) ?? wechatSender(ctx)) : undefined;
    const channel = createWechatChannel({
      handleInbound: ctx.handleInbound,
      log: ctx.log,
      reachable: (openId, ok) => ctx.people.setReachable('wechat', openId, ok, new Date()),
      ...(own
        ? {
            account: {
              appId: config.WECHAT_APPID ?? '',
              sender: own,
              window: createServiceWindow(ctx.redis, ctx.prefix),
              userInfo: (openId: string) =>
                own.api.get('/cgi-bin/user/info', { openid: openId, lang: 'zh_CN' }),
            },
          }
        : { puppet: config.WECHATY_PUPPET ?? '' }),
    });
    if (!own) return channel;
    const callback = wechatWebhookRoutes({
      token: config.WECHAT_TOKEN ?? '',
      ...(config.WECHAT_AES_KEY
        ? { cipher: createWechatCipher(config.WECHAT_AES_KEY, config.WECHAT_APPID ?? '') }
        : {}),
      redis: ctx.redis,
      prefix: ctx.prefix,
      log: ctx.log,
      receive: (xml) => channel.receive(xml),
      push: (openId, texts) => own.sendTexts(openId, texts),
    });
    const oauth = wechatOauthRoutes({
      appId: config.WECHAT_APPID ?? '',
      appSecret: config.WECHAT_APPSECRET ?? '',
      apiRoot: config.WECHAT_API_ROOT,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      log: ctx.log,
    });
    return Object.assign(channel, {
      routes: async (app: FastifyInstance) => {
        await app.register(callback);
        await app.register(oauth);
      },
    });
  },
};
