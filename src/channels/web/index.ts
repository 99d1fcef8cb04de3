import { newcomerGreeting } from '../../conversations/greeting.js';
import type { ChannelModule } from '../channel.js';
import { wechatIdentity } from '../wechat/oauth.js';
import { webChatRoutes } from './web.routes.js';

/**
 * The web chat: the page and its API. Always on (it needs no token); it cannot push, so it has
 * no sender — a person on the page sees what is new when they next write or reload.
 */
export const webChannel: ChannelModule = {
  id: 'web',
  enabled: () => true,
  inbound: (ctx) => ({
    id: 'web',
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
