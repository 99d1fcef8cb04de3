import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildDeps, type AppDeps } from '../../src/deps.js';
import { buildApp } from '../../src/http/app.js';

export interface TestApp {
  url: string;
  app: FastifyInstance;
  deps: AppDeps;
  /** The database this app uses (its own, dropped on close). */
  dbName: string;
  id: string;
  close(): Promise<void>;
}

/** A MongoDB URI for a database of one's own on the test server. */
export function testMongoUri(
  dbName: string,
  base = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27018/lamton',
): string {
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/**
 * The real app (real Redis, real FerretDB/MongoDB) listening on 127.0.0.1, with its own
 * database and Redis key prefix so test files never see each other's data.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  opts: {
    listen?: boolean;
    /** Another process of the same deployment: same database and Redis prefix. */
    sameDeploymentAs?: TestApp;
    /** Another MongoDB-compatible server than the suite's (a fault test's own). */
    mongoUri?: string;
    /** The Redis key prefix (the default `lamton:` to share a Redis of one's own with processes). */
    prefix?: string;
  } = {},
): Promise<TestApp> {
  const id = opts.sameDeploymentAs?.id ?? randomUUID().replaceAll('-', '').slice(0, 12);
  const dbName = `test_${id}`;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6381',
    ...env,
    MONGODB_URI: testMongoUri(dbName, opts.mongoUri),
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const prefix = opts.prefix ?? `test:${id}:`;
  const deps = await buildDeps(config, log, { prefix });
  const app = await buildApp(deps);
  let url = '';
  if (opts.listen !== false) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  } else {
    await app.ready();
  }
  return {
    url,
    app,
    deps,
    dbName,
    id,
    async close() {
      await deps.telegram?.stop();
      await app.close();
      if (!opts.sameDeploymentAs) {
        const keys = await deps.redis.keys(`${prefix}*`);
        if (keys.length > 0) await deps.redis.del(...keys);
        await deps.mongo.dropDatabase().catch(() => undefined);
      }
      await deps.close();
    },
  };
}
