import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { freePort, kill, startRedis } from './support/servers.js';

/** Issue 8, B9: Redis stopped and restarted under a running assistant (a real fault). */
describe('Redis down, then back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamton-outage-'));
  let port = 0;
  let redis: ChildProcess;
  let t: TestApp;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port, dir);
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` }, { listen: false });
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    if (redis?.exitCode === null) await kill(redis);
  });

  const send = (clientId: string, cookie?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/chat/messages',
      payload: { clientId, choice: 'language:choose#zh' },
      ...(cookie ? { headers: { cookie } } : {}),
    });

  it('answers 503 with Retry-After (not 500) while Redis is down, says which in /readyz, and recovers', async () => {
    const first = await send('before-1');
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;

    await kill(redis);
    await expect.poll(() => t.deps.redis.status, { timeout: 5_000 }).not.toBe('ready');
    const during = await send('during-1', cookie);
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('5');
    expect(during.json()).toMatchObject({ error: 'unavailable', dependency: 'redis' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { redis: 'down', mongodb: 'ok' } });
    // The page and the liveness check do not need Redis.
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    expect((await t.app.inject('/')).statusCode).toBe(200);
    // …nor the page's own text: a page opened now still reads in its language.
    const ui = await t.app.inject('/api/chat/ui?lang=bo');
    expect(ui.statusCode).toBe(200);
    expect(ui.json()).toMatchObject({ lang: 'bo' });

    redis = await startRedis(port, dir);
    await expect.poll(() => t.deps.redis.status, { timeout: 15_000 }).toBe('ready');
    // The message the page kept and retried is answered, once.
    const retried = await send('during-1', cookie);
    expect(retried.statusCode).toBe(200);
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('answers 503 too while Redis is up but refuses writes (full with noeviction), and /readyz says so', async () => {
    const first = await send('full-0');
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    await t.deps.redis.config('SET', 'maxmemory-policy', 'noeviction');
    await t.deps.redis.config('SET', 'maxmemory', '1');
    try {
      const during = await send('full-1', cookie);
      expect(during.statusCode).toBe(503);
      expect(during.json()).toMatchObject({ error: 'unavailable', dependency: 'redis' });
      const ready = await t.app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ checks: { redis: 'down' } });
    } finally {
      await t.deps.redis.config('SET', 'maxmemory', '0');
    }
    expect((await send('full-1', cookie)).statusCode).toBe(200);
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });

  it('answers 503 at once while Redis hangs (paused), instead of waiting as long as it does', async () => {
    // A paused Redis answers nothing and closes nothing: a request waited as long (100 s in a
    // fault injector's run of the counsellor webhook), and more piled up behind it.
    const first = await send('hang-0');
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    redis.kill('SIGSTOP');
    try {
      // Once a PING has waited 3 s, new requests are refused at once.
      await new Promise((r) => setTimeout(r, 5_000));
      const started = Date.now();
      const during = await send('hang-1', cookie);
      expect(during.statusCode).toBe(503);
      expect(during.json()).toMatchObject({ error: 'unavailable', dependency: 'redis' });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      redis.kill('SIGCONT');
    }
    await expect
      .poll(async () => (await send('hang-1', cookie)).statusCode, { timeout: 20_000 })
      .toBe(200);
  }, 60_000);
});
