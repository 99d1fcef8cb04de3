import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Update } from 'telegraf/types';
import { runOnce } from '../../lib/once.js';

export interface TelegramWebhookDeps {
  secret: string;
  redis: Redis;
  processUpdate(update: Update): Promise<void>;
  /** A turn that failed after Telegram was answered 200 (it will not retry): finish it here. */
  retryLater(update: Update): void;
  /** Answer Telegram after this long even if the turn is still running (it then goes on). */
  answerWithinMs?: number;
  /** Redis key prefix. */
  prefix?: string;
}

/**
 * Telegram updates, by webhook or polling, are answered once: seen ids are kept a day; a claim
 * is a 10-second lease renewed while the turn runs, so a crashed process frees it at once.
 */
export const UPDATE_ONCE = { leaseSec: 10, doneTtlSec: 24 * 60 * 60, waitMs: 12_000 } as const;

/** The Redis key of one update's "answered once" record. */
export function updateKey(prefix: string | undefined, updateId: number): string {
  return `${prefix ?? 'lamton:'}tg:update:${String(updateId)}`;
}

/**
 * POST /webhooks/telegram. Checks the secret header timing-safely (telegraf's own Fastify
 * example loses the headers on Node 20), answers each `update_id` once, and replies 200 as
 * soon as the turn is done (or after `answerWithinMs`).
 */
export function telegramWebhookRoutes(deps: TelegramWebhookDeps): FastifyPluginAsync {
  const expected = Buffer.from(deps.secret);
  const answerWithin = deps.answerWithinMs ?? 2_000;

  return async (app) => {
    app.post(
      '/webhooks/telegram',
      { bodyLimit: 1024 * 1024, schema: { hide: true } },
      async (req, reply) => {
        const given = req.headers['x-telegram-bot-api-secret-token'];
        const got = Buffer.from(typeof given === 'string' ? given : '');
        if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
          return reply.code(401).send({ error: 'unauthorized' });
        }
        const body = req.body as { update_id?: unknown } | null;
        if (!body || typeof body !== 'object' || !Number.isSafeInteger(body.update_id)) {
          // Not an update Telegram could send: answered 200 (a 4xx is retried for ever), and
          // counted and logged as malformed by the channel.
          await deps.processUpdate(body as Update);
          return reply.code(200).send({ ok: true });
        }
        // Each update_id once (the shared helper of every channel): a retry while a live owner
        // runs the turn waits for it; after a crash the lease lapses and the retry runs it.
        const work = runOnce(
          deps.redis,
          updateKey(deps.prefix, body.update_id as number),
          async () => {
            await deps.processUpdate(body as Update);
            return 'done';
          },
          UPDATE_ONCE,
        );
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>(
          (r) => (timer = setTimeout(() => r('late'), answerWithin)),
        );
        try {
          await Promise.race([work, late]);
        } catch (err) {
          req.log.error({ err }, 'telegram update failed; Telegram will retry');
          return reply
            .code(503)
            .header('retry-after', '5')
            .send({ error: 'unavailable', message: 'retry' });
        } finally {
          clearTimeout(timer);
        }
        work.catch((err: unknown) => {
          req.log.warn({ err }, 'telegram update failed after answering; retrying here');
          deps.retryLater(body as Update);
        });
        // Telegram runs a method given in the webhook response: a button press is
        // acknowledged without a Bot API call of our own.
        const callbackId = (body as { callback_query?: { id?: unknown } }).callback_query?.id;
        return typeof callbackId === 'string'
          ? reply.code(200).send({ method: 'answerCallbackQuery', callback_query_id: callbackId })
          : reply.code(200).send({ ok: true });
      },
    );
  };
}
