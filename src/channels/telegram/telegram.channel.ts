import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { COMMANDS } from '../../conversations/intents.js';
import type { Translator } from '../../i18n.js';
import type { OutgoingMessage } from '../../messaging/content.js';
import type { InboundHandler } from '../../messaging/inbound.js';
import type { ChannelAdapter } from '../channel.js';
import { runOnce } from '../../lib/once.js';
import { checkUpdate, toInboundEvent } from './inbound.js';
import { UPDATE_ONCE, updateKey } from './webhook.routes.js';
import { createPollerLock } from './poller-lock.js';
import { renderTelegram } from './render.js';
import { withFloodRetry } from './send.js';
import type { Lang } from '../../messaging/lang.js';

/** Attempts at a polled update that keeps failing while Redis is up (a bug, a bad update). */
const POLL_ATTEMPTS = 5;

export interface TelegramChannelDeps {
  token: string;
  apiRoot: string;
  mode: 'polling' | 'webhook';
  /** Full webhook URL (PUBLIC_URL + /webhooks/telegram), webhook mode only. */
  webhookUrl?: string;
  webhookSecret?: string;
  handleInbound: InboundHandler;
  redis: Redis;
  translator: Translator;
  log: Logger;
  /** Counts a polled update given up after its attempts (a metric; never during an outage). */
  onDropped?: () => void;
  /** Counts an update ignored because a field it reads has the wrong shape (a metric). */
  onMalformed?: () => void;
  /** How often a non-leader retries to become the poller. */
  pollRetryMs?: number;
  /** Redis key prefix. */
  prefix?: string;
}

export interface TelegramChannel extends ChannelAdapter {
  readonly bot: Telegraf;
  /** Handles one update end to end (inbound → conversation → replies). */
  processUpdate(update: Update): Promise<void>;
  /**
   * Finishes an update whose webhook was already answered 200 but whose turn then failed
   * (Telegram will not retry it): retried here with backoff, still answered once.
   */
  retryLater(update: Update): void;
  /** Whether this process currently holds the polling lease. */
  isPolling(): boolean;
}

export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const log = deps.log.child({ channel: 'telegram' });
  // Keep-alive to the Bot API (telegraf only brings its own agent for https roots), and no
  // Nagle delay: a small request held back waiting for an ACK cost up to 40 ms per reply.
  const agent = deps.apiRoot.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true, noDelay: true })
    : new HttpAgent({ keepAlive: true, noDelay: true });
  const bot = new Telegraf(deps.token, {
    telegram: { apiRoot: deps.apiRoot, webhookReply: false, agent },
  });
  const lock = createPollerLock(deps.redis, `${deps.prefix ?? 'lamton:'}telegram:poller`);
  const inFlight = new Set<Promise<void>>();
  let polling = false;
  let stopped = false;
  let renewTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  async function send(chatId: string, messages: OutgoingMessage[]): Promise<void> {
    for (const message of messages) {
      for (const part of renderTelegram(message)) {
        await withFloodRetry(() =>
          bot.telegram.sendMessage(
            chatId,
            part.text,
            part.reply_markup ? { reply_markup: part.reply_markup } : {},
          ),
        );
      }
    }
  }

  async function processUpdate(raw: Update): Promise<void> {
    const update = checkUpdate(raw);
    if (!update) {
      deps.onMalformed?.();
      log.warn(
        { updateId: (raw as { update_id?: unknown }).update_id },
        'malformed update ignored',
      );
      return;
    }
    const event = toInboundEvent(update);
    if (!event) return;
    // Stops the button's spinner; failure here must not lose the turn. In webhook mode the
    // webhook's own response answers it (one Bot API call fewer per button press).
    if ('callback_query' in update && deps.mode === 'polling') {
      bot.telegram
        .answerCbQuery(update.callback_query.id)
        .catch((err: unknown) => log.warn({ err }, 'answerCallbackQuery failed'));
    }
    const replies = await deps.handleInbound(event);
    await send(event.chatId, replies);
  }

  function track(p: Promise<void>): Promise<void> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  /**
   * A polled update (or a webhook update to finish): answered once (the same helper as the
   * webhook, so a crash between fetching and acknowledging a batch does not answer twice), and
   * retried with backoff when it fails —
   * telegraf acknowledges the batch only after this returns, so until then Telegram keeps it.
   * A failure while Redis is away does not count as an attempt.
   */
  async function processUntilDone(update: Update): Promise<void> {
    for (let attempt = 1, wait = 500; ;) {
      try {
        await runOnce(
          deps.redis,
          updateKey(deps.prefix, update.update_id),
          async () => {
            await processUpdate(update);
            return 'done';
          },
          UPDATE_ONCE,
        );
        return;
      } catch (err) {
        const outage = deps.redis.status !== 'ready';
        if (stopped || (!outage && attempt >= POLL_ATTEMPTS)) {
          log.error({ err, updateId: update.update_id }, 'telegram update failed; giving up');
          deps.onDropped?.();
          return;
        }
        if (!outage) attempt++;
        log.warn({ err, updateId: update.update_id, attempt }, 'telegram update failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, 30_000);
      }
    }
  }

  bot.use((ctx) => track(processUntilDone(ctx.update)));
  bot.catch((err, ctx) =>
    log.error({ err, updateId: ctx.update.update_id }, 'telegram update failed'),
  );

  async function registerCommands(): Promise<void> {
    const list = (lang: Lang) =>
      COMMANDS.map((c) => ({
        command: c,
        description: deps.translator.t(lang, `telegram:commands.${c}`),
      }));
    await withFloodRetry(() => bot.telegram.setMyCommands(list('zh-CN')));
    await withFloodRetry(() => bot.telegram.setMyCommands(list('zh-CN'), { language_code: 'zh' }));
    await withFloodRetry(() => bot.telegram.setMyCommands(list('bo'), { language_code: 'bo' }));
  }

  async function tryLead(): Promise<void> {
    if (stopped || polling) return;
    if (!(await lock.tryAcquire())) {
      leadSoon();
      return;
    }
    polling = true;
    log.info('telegram polling started (this process holds the poller lease)');
    let renewedAt = Date.now();
    renewTimer = setInterval(() => {
      lock.renew().then(
        (held) => {
          if (held) renewedAt = Date.now();
          else if (polling) {
            log.warn('telegram poller lease lost; stopping polling');
            stopPolling();
            leadSoon(0);
          }
        },
        (err: unknown) => {
          // Redis away: keep polling while the lease we last renewed is surely ours, then stop
          // (another process may take over) and try to lead again until Redis is back.
          if (polling && Date.now() - renewedAt >= lock.ttlMs) {
            log.warn({ err }, 'telegram poller lease unconfirmed (Redis away); stopping polling');
            stopPolling();
            leadSoon();
          }
        },
      );
    }, lock.ttlMs / 3);
    bot
      .launch({ dropPendingUpdates: false, allowedUpdates: ['message', 'callback_query'] })
      .catch((err: unknown) => {
        log.error({ err }, 'telegram polling stopped with an error');
        stopPolling();
        lock.release().then(
          () => leadSoon(),
          () => leadSoon(),
        );
      });
  }

  /** Tries to become the poller after `ms`, again and again while that fails (Redis away). */
  function leadSoon(ms = deps.pollRetryMs ?? 10_000): void {
    if (stopped) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      tryLead().catch((err: unknown) => {
        log.warn({ err }, 'telegram poll leadership: will try again');
        leadSoon();
      });
    }, ms);
  }

  function stopPolling(): void {
    clearInterval(renewTimer);
    if (polling) {
      polling = false;
      try {
        bot.stop('shutdown');
      } catch {
        // Telegraf throws when the bot was not running yet; nothing to stop then.
      }
    }
  }

  return {
    id: 'telegram',
    bot,
    processUpdate: (update) => track(processUpdate(update)),
    retryLater: (update) => {
      track(processUntilDone(update)).catch((err: unknown) =>
        log.error({ err, updateId: update.update_id }, 'telegram update failed; giving up'),
      );
    },
    isPolling: () => polling,
    send,
    async start() {
      await registerCommands();
      if (deps.mode === 'webhook') {
        if (!deps.webhookUrl || !deps.webhookSecret)
          throw new Error('webhook mode needs PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET');
        await withFloodRetry(() =>
          bot.telegram.setWebhook(deps.webhookUrl ?? '', {
            secret_token: deps.webhookSecret,
            allowed_updates: ['message', 'callback_query'],
          }),
        );
        log.info('telegram webhook registered');
      } else {
        await tryLead();
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const wasPolling = polling;
      stopPolling();
      await Promise.allSettled([...inFlight]);
      if (wasPolling) await lock.release().catch(() => undefined); // Redis away: the lease lapses
      agent.destroy();
    },
  };
}
