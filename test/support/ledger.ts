import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { authenticate } from '../../src/accounts/auth.js';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import { buildApp } from '../../src/http/app.js';
import { createLedger } from '../../src/journey/ledger.index.js';
import { testMongoUri, type TestApp } from './app.js';

/**
 * The real app (as `startTestApp`, not listening) with the ledger mounted: its API behind the
 * admin API's authentication and its page, unless the composition root mounts them already.
 */
export async function startLedgerApp(env: Record<string, string> = {}): Promise<TestApp> {
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
  const prefix = `test:${id}:`;
  const deps = await buildDeps(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), {
    prefix,
  });
  const app = await buildApp(deps);
  const ledger = createLedger(deps);
  if (!app.hasRoute({ method: 'GET', url: '/api/admin/people' }))
    await app.register(async (scope) => {
      scope.addHook('onRequest', authenticate(deps));
      await scope.register(ledger.routes);
    });
  if (!app.hasRoute({ method: 'GET', url: '/admin/reports/monthly' }))
    await app.register(ledger.pages);
  await app.ready();
  return {
    url: '',
    app,
    deps,
    dbName,
    id,
    async close() {
      await app.close();
      const keys = await deps.redis.keys(`${prefix}*`);
      if (keys.length > 0) await deps.redis.del(...keys);
      await deps.mongo.dropDatabase().catch(() => undefined);
      await deps.close();
    },
  };
}
