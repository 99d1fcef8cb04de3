import type { ChannelModule } from '../channel.js';
import { createSendBudget } from './budget.js';
import { createTelegramSender, type TelegramSender } from './sender.js';
import { createTelegramChannel } from './telegram.channel.js';
import { telegramWebhookRoutes } from './webhook.routes.js';

/** Telegram: on when TELEGRAM_BOT_TOKEN is set; polling or a webhook (TELEGRAM_MODE). */
export const telegramChannel: ChannelModule = {
  id: 'telegram',
  enabled: (config) => Boolean(config.TELEGRAM_BOT_TOKEN),
  sender: ({ config, redis, prefix }) =>
    createTelegramSender({
      token: config.TELEGRAM_BOT_TOKEN ?? '',
      apiRoot: config.TELEGRAM_API_ROOT,
      budget: createSendBudget(redis, prefix),
    }),
  inbound(ctx, sender) {
    const { config } = ctx;
    const channel = createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN ?? '',
      apiRoot: config.TELEGRAM_API_ROOT,
      ...(sender ? { sender: sender as TelegramSender } : {}),
      mode: config.TELEGRAM_MODE,
      ...(config.PUBLIC_URL
        ? { webhookUrl: new URL('/webhooks/telegram', config.PUBLIC_URL).toString() }
        : {}),
      ...(config.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      handleInbound: ctx.handleInbound,
      onMalformed: () => ctx.metrics.telegramMalformed.inc(),
      onDropped: () => ctx.metrics.telegramDropped.inc(),
      redis: ctx.redis,
      translator: ctx.translator,
      log: ctx.log,
      prefix: ctx.prefix,
    });
    const secret = config.TELEGRAM_WEBHOOK_SECRET;
    return Object.assign(channel, {
      routes:
        config.TELEGRAM_MODE === 'webhook' && secret
          ? telegramWebhookRoutes({
              secret,
              redis: ctx.redis,
              prefix: ctx.prefix,
              processUpdate: (u) => channel.processUpdate(u),
              retryLater: (u) => channel.retryLater(u),
            })
          : undefined,
    });
  },
};
