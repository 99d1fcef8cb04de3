import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { buildApp } from '../../src/http/app.js';
import { createJobs, type Jobs } from '../../src/jobs/index.js';
import { testMongoUri, type TestApp } from './app.js';

export interface JobsTestApp extends TestApp {
  jobs: Jobs;
}

/**
 * The real app (as `startTestApp` builds it: real Redis and FerretDB, a database and key
 * prefix of its own) whose job postings run on the test's clock.
 */
export async function startJobsApp(
  env: Record<string, string> = {},
  opts: { listen?: boolean; now?: () => Date } = {},
): Promise<JobsTestApp> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const dbName = `test_${id}`;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6381',
    ...env,
    MONGODB_URI: testMongoUri(dbName),
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const prefix = `test:${id}:`;
  const deps = await buildDeps(config, log, { prefix });
  // The composition root mounts `deps.jobs`: this one has the test's clock.
  const jobs = createJobs({ ...deps, ...(opts.now ? { now: opts.now } : {}) });
  deps.jobs = jobs;
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
    jobs,
    async close() {
      await deps.telegram?.stop();
      await app.close();
      const keys = await deps.redis.keys(`${prefix}*`);
      if (keys.length > 0) await deps.redis.del(...keys);
      await deps.mongo.dropDatabase().catch(() => undefined);
      await deps.close();
    },
  };
}
