import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Registry } from 'prom-client';
import { bearerAuth } from '../plugins/admin-auth.js';

export interface HealthDeps {
  redis: Redis;
  /** Redis key prefix (the readiness probe writes one short-lived key). */
  prefix: string;
  mongo: Connection;
  registry: Registry;
  /** Bearer tokens that may read /metrics (METRICS_TOKEN, ADMIN_TOKEN); none set: closed. */
  metricsTokens: (string | undefined)[];
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), ms).unref()),
  ]);

/**
 * /healthz (the process is alive), /readyz (Redis takes a write — a full or read-only Redis
 * answers a ping but refuses every turn — and MongoDB answers), /metrics (token).
 */
export function healthRoutes(deps: HealthDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness' } }, async () => ({
      status: 'ok',
    }));
    app.get(
      '/readyz',
      { schema: { tags: ['ops'], summary: 'Readiness: Redis takes a write and MongoDB answers' } },
      async (_req, reply) => {
        const [redis, mongo] = await Promise.allSettled([
          withTimeout(deps.redis.set(`${deps.prefix}readyz`, '1', 'PX', 5000), 1000),
          withTimeout(
            deps.mongo.db?.admin().ping() ?? Promise.reject(new Error('not connected')),
            1000,
          ),
        ]);
        const checks = {
          redis: redis.status === 'fulfilled' ? 'ok' : 'down',
          mongodb: mongo.status === 'fulfilled' ? 'ok' : 'down',
        };
        const ready = checks.redis === 'ok' && checks.mongodb === 'ok';
        return reply
          .code(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'not_ready', checks });
      },
    );
    app.get(
      '/metrics',
      {
        // Counts of turns, questions and failures are not for the public: a bearer token.
        onRequest: bearerAuth(...deps.metricsTokens),
        schema: {
          tags: ['ops'],
          summary: 'Prometheus metrics (bearer METRICS_TOKEN or ADMIN_TOKEN)',
          security: [{ bearer: [] }],
        },
      },
      async (_req, reply) => {
        return reply.type(deps.registry.contentType).send(await deps.registry.metrics());
      },
    );
  };
}
