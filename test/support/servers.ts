import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * A Redis of one's own (Debian's redis-server, no persistence) for a fault test or the chaos
 * script: the suite's shared Redis must not go down under other test files. Resolves once it
 * answers a PING.
 */
export async function startRedis(
  port: number,
  dir: string,
  /** Keep the data across a restart, as production Redis does (AOF, every write). */
  persist = false,
): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      ...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 100 });
  probe.on('error', () => undefined); // not up yet: the loop below tries again
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  probe.disconnect();
  return child;
}

/** SIGKILL, and wait until the process is gone. */
export function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The FerretDB binary the test run's own services use (scripts/services.mjs builds it). */
export const FERRET_BIN = join(import.meta.dirname, '..', '..', '.data', 'bin', 'ferretdb');

/**
 * A FerretDB of one's own (SQLite in `dir`) for a fault test: the suite's shared one must not go
 * down under other test files. Resolves once it answers a ping.
 */
export async function startFerret(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    FERRET_BIN,
    ['-listen-addr', `127.0.0.1:${port}`, '-sqlite-url', `${pathToFileURL(dir).href}/`],
    { cwd: dir, stdio: 'ignore' },
  );
  const probe = mongoose.createConnection(`mongodb://127.0.0.1:${port}/probe`, {
    serverSelectionTimeoutMS: 500,
  });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.asPromise();
      await probe.db?.admin().ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await probe.close();
  return child;
}

/**
 * The assistant as one real process (`node --import tsx src/main.ts`: tsx as a loader, so a
 * SIGKILL kills the server itself — the tsx CLI would run it in a child that survives), on
 * 127.0.0.1:`port` with `env` added; resolves once `/readyz` answers 200.
 */
export async function startAppProcess(
  port: number,
  env: Record<string, string>,
  {
    role = 'web',
    timeoutMs = 60_000,
  }: { role?: 'web' | 'worker' | 'all'; timeoutMs?: number } = {},
): Promise<ChildProcess> {
  // A worker serves no HTTP: it is ready when it logs so (its log on stdout, read line by line).
  const worker = role === 'worker';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', `--role=${role}`], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: worker ? 'info' : 'silent',
      ...env,
    },
    stdio: worker ? ['ignore', 'pipe', 'ignore'] : 'ignore',
  });
  if (worker) return workerReady(child, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the assistant exited with ${child.exitCode}`);
    const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the assistant was not ready on port ${port} within ${timeoutMs} ms`);
}

function workerReady(child: ChildProcess, timeoutMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${code}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.includes('"worker ready"')) {
        clearTimeout(timer);
        buffered = '';
        resolve(child);
      }
      // Keep reading (and dropping) the log so the pipe never fills and blocks the worker.
      if (buffered.length > 65_536) buffered = buffered.slice(-1024);
    });
  });
}
