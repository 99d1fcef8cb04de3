import { newcomerGreeting } from '../../conversations/greeting.js';
import type { ChannelModule } from '../channel.js';
import { wechatIdentity } from '../wechat/oauth.js';
import { createWebSender } from './sender.js';
import { webChatRoutes } from './web.routes.js';

/**
 * The web chat: the page and its API. Always on (it needs no token). Its sender needs only
 * Redis: a push is kept in the chat's inbox (shown on the next visit) and published, so an open
 * page shows it at once (`GET /api/chat/events`).
 */
export const webChannel: ChannelModule = {
  id: 'web',
  enabled: () => true,
  sender: (ctx) => createWebSender(ctx),
  inbound: (ctx, sender) => ({
    id: 'web',
    sender,
    routes: webChatRoutes({
      handleInbound: ctx.handleInbound,
      redis: ctx.redis,
      prefix: ctx.prefix,
      uiStrings: (lang) => ctx.translator.namespace(lang, 'web'),
      greet: (lang) => newcomerGreeting(ctx, lang),
      // Opened from the WeChat menu (OAuth): the page continues the person's WeChat conversation.
      ...(ctx.config.WECHAT_APPID
        ? {
            identify: (request) => {
              const openId = wechatIdentity(request);
              return openId ? { channel: 'wechat' as const, chatId: openId } : null;
            },
          }
        : {}),
    }),
  }),
};
