import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { COMMANDS } from '../../conversations/intents.js';
import type { Translator } from '../../i18n.js';
import type { InboundHandler } from '../../messaging/inbound.js';
import { isRetryable, SendError } from '../../messaging/send.js';
import type { Channel } from '../channel.js';
import { isDatabaseUnavailable, isRedisUnavailable } from '../../lib/db-errors.js';
import { runOnce } from '../../lib/once.js';
import { checkUpdate, toInboundEvent } from './inbound.js';
import { UPDATE_ONCE, updateKey } from './webhook.routes.js';
import { createPollerLock } from './poller-lock.js';
import { createTelegramSender, type TelegramSender } from './sender.js';
import { withFloodRetry } from './send.js';
import type { Lang } from '../../messaging/lang.js';

/** How long a live reply waits for Telegram's flood control before the turn is retried. */
const LIVE_WAIT_MS = 30_000;

/** Attempts at a polled update that keeps failing while Redis is up (a bug, a bad update). */
const POLL_ATTEMPTS = 5;

export interface TelegramChannelDeps {
  token: string;
  apiRoot: string;
  /** The sender to reply with (one is made from token and apiRoot when not given). */
  sender?: TelegramSender;
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

export interface TelegramChannel extends Channel {
  readonly id: 'telegram';
  readonly bot: Telegraf;
  readonly sender: TelegramSender;
  start(): Promise<void>;
  stop(): Promise<void>;
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
  const sender = deps.sender ?? createTelegramSender(deps);
  const api = sender.api;
  // Only for polling (getUpdates); every call of ours goes through the sender's client.
  const bot = new Telegraf(deps.token, {
    telegram: { apiRoot: deps.apiRoot, webhookReply: false },
    // A turn waiting out an outage must not let telegraf acknowledge its update (the default
    // 90 s limit did: a restart then lost it); processUntilDone retries until done or stopped.
    handlerTimeout: Infinity,
  });
  const lock = createPollerLock(deps.redis, `${deps.prefix ?? 'lamton:'}telegram:poller`);
  const inFlight = new Set<Promise<void>>();
  let polling = false;
  let stopped = false;
  let renewTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  async function processUpdate(raw: Update): Promise<void> {
    const update = checkUpdate(raw);
    if (!update) {
      deps.onMalformed?.();
      log.warn(
        { updateId: (raw as { update_id?: unknown } | null)?.update_id },
        'malformed update ignored',
      );
      return;
    }
    const event = toInboundEvent(update);
    if (!event) return;
    // Stops the button's spinner; failure here must not lose the turn. In webhook mode the
    // webhook's own response answers it (one Bot API call fewer per button press).
    if ('callback_query' in update && deps.mode === 'polling') {
      api
        .answerCbQuery(update.callback_query.id)
        .catch((err: unknown) => log.warn({ err }, 'answerCallbackQuery failed'));
    }
    const replies = await deps.handleInbound(event);
    try {
      await sender.send(event.chatId, replies, { maxWaitMs: LIVE_WAIT_MS });
    } catch (err) {
      // The person blocked the bot, or Telegram refuses this content: trying again cannot help.
      if (err instanceof SendError && !isRetryable(err)) {
        log.warn({ kind: err.kind, updateId: update.update_id }, 'reply not deliverable');
        return;
      }
      throw err;
    }
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
   * A failure while Redis or the database is away does not count as an attempt.
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
        // Redis or the database away (or refusing): wait it out, however long; it is not a try.
        const outage =
          deps.redis.status !== 'ready' || isDatabaseUnavailable(err) || isRedisUnavailable(err);
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
    await withFloodRetry(() => api.setMyCommands(list('zh-CN')));
    await withFloodRetry(() => api.setMyCommands(list('zh-CN'), { language_code: 'zh' }));
    await withFloodRetry(() => api.setMyCommands(list('bo'), { language_code: 'bo' }));
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
    sender,
    async start() {
      await registerCommands();
      if (deps.mode === 'webhook') {
        if (!deps.webhookUrl || !deps.webhookSecret)
          throw new Error('webhook mode needs PUBLIC_URL and TELEGRAM_WEBHOOK_SECRET');
        await withFloodRetry(() =>
          api.setWebhook(deps.webhookUrl ?? '', {
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
      if (!deps.sender) sender.close();
    },
  };
}
