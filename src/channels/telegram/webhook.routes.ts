import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Update } from 'telegraf/types';

export interface TelegramWebhookDeps {
  secret: string;
  redis: Redis;
  processUpdate(update: Update): Promise<void>;
  /** Answer Telegram after this long even if the turn is still running (it then goes on). */
  answerWithinMs?: number;
  /** Redis key prefix. */
  prefix?: string;
}

const SEEN_TTL_S = 24 * 60 * 60;
/** A claim that outlives a crashed process only briefly, so Telegram's retry gets through. */
const PENDING_TTL_S = 60;

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
          return reply.code(400).send({
            error: 'validation',
            details: [{ path: 'update_id', message: 'expected an integer' }],
          });
        }
        const key = `${deps.prefix ?? 'lamton:'}tg:update:${String(body.update_id)}`;
        if ((await deps.redis.set(key, 'pending', 'EX', PENDING_TTL_S, 'NX')) !== 'OK') {
          return reply.code(200).send({ ok: true });
        }
        const work = deps.processUpdate(body as Update).then(
          () => deps.redis.set(key, 'done', 'EX', SEEN_TTL_S),
          async (err: unknown) => {
            await deps.redis.del(key); // let Telegram's retry run the turn again
            throw err;
          },
        );
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>(
          (r) => (timer = setTimeout(() => r('late'), answerWithin)),
        );
        try {
          await Promise.race([work, late]);
        } catch (err) {
          req.log.error({ err }, 'telegram update failed; Telegram will retry');
          return reply.code(500).send({ error: 'retry' });
        } finally {
          clearTimeout(timer);
        }
        work.catch((err: unknown) =>
          req.log.error({ err }, 'telegram update failed after answering'),
        );
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
