import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { testMongoUri } from './support/app.js';
import { freePort } from './support/servers.js';

describe('graceful shutdown', () => {
  it('SIGTERM lets the in-flight turn finish, then exits 0', async () => {
    const port = await freePort();
    const db = `test_shutdown_${Date.now()}`;
    const child = spawn('node_modules/.bin/tsx', ['src/main.ts', '--role=all'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        MONGODB_URI: testMongoUri(db),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const base = `http://127.0.0.1:${port}`;
    await expect
      .poll(
        () =>
          fetch(`${base}/readyz`).then(
            (r) => r.status,
            () => 0,
          ),
        // Start-up trains the topic and distress models (a few seconds; more while other test
        // files load the machine).
        { timeout: 60_000, interval: 200 },
      )
      .toBe(200);

    // The first real message (not the page's automatic start) creates the session cookie.
    const first = await fetch(`${base}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'c1', choice: 'language:choose#zh' }),
    });
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const sid = decodeURIComponent(cookie.split('=')[1]!).split('.')[0]!;

    // Hold the conversation's lock so the next turn is in flight when SIGTERM arrives.
    const redis = new Redis(process.env.REDIS_URL!);
    const lockKey = `lamton:lock:web:${sid}`;
    await redis.set(lockKey, 'test', 'PX', 10_000);
    const inFlight = fetch(`${base}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ clientId: 'c2', choice: 'language:choose#bo' }),
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await redis.del(lockKey);

    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { replies: { lang: string }[] };
    expect(body.replies[0]?.lang).toBe('bo');
    const code = await exited;
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/Error/);
    await redis.quit();
  }, 120_000);
});
