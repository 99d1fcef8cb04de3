import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';

/** Seconds a client is asked to wait before trying again while a dependency is down. */
export const OUTAGE_RETRY_AFTER_S = 5;

/**
 * Routes that need Redis and the database (the rest — health, the page, assets, the page's own
 * text at /api/chat/ui — do not: a page opened during an outage still reads in its language).
 */
const NEEDS_SERVICES = /^\/(?:api|webhooks)\/(?!chat\/ui(?:[?#]|$))/;

/**
 * 503 with `Retry-After` and the dependency's name while Redis or MongoDB is not connected,
 * for every route that needs them. Nothing is lost: the web page keeps the text and retries,
 * Telegram retries a webhook it did not get a 2xx for.
 */
export function unavailableWhileDown(deps: {
  redis: Redis;
  mongo: Connection;
  /** Redis is connected but answers nothing (see lib/redis-watchdog). */
  redisHung?: () => boolean;
}) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!NEEDS_SERVICES.test(req.url)) return;
    const down =
      deps.redis.status !== 'ready' || deps.redisHung?.()
        ? 'redis'
        : deps.mongo.readyState !== mongoose.ConnectionStates.connected
          ? 'mongodb'
          : null;
    if (!down) return;
    req.log.warn({ dependency: down }, 'dependency down: 503');
    await reply
      .code(503)
      .header('retry-after', String(OUTAGE_RETRY_AFTER_S))
      .send({ error: 'unavailable', dependency: down, retryAfter: OUTAGE_RETRY_AFTER_S });
  };
}
