#!/usr/bin/env node
// Local Redis and FerretDB (MongoDB-compatible) for `npm start` and `npm test`.
//
// Plain Node with no npm dependencies: it runs before `npm install`. Both servers run as detached
// daemons on 127.0.0.1 with their data under .data/, so stopping the app leaves them up; a second
// call reuses whatever already answers. Set MONGODB_URI / REDIS_URL to use other servers instead.
//
//   node scripts/services.mjs start|stop|status
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, '.data');
const HOST = '127.0.0.1';
const REDIS_PORT = 6381;
const FERRET_PORT = 27018;
const FERRET_SRC = path.join(ROOT, 'tools', 'ferretdb');
const FERRET_BIN = path.join(DATA, 'bin', 'ferretdb');
const FERRET_PID = path.join(DATA, 'ferretdb.pid');
const FERRET_LOG = path.join(DATA, 'ferretdb.log');
const REDIS_PID = path.join(DATA, 'redis.pid');
const REDIS_LOG = path.join(DATA, 'redis.log');
const LOCK_DIR = path.join(DATA, 'services.lock');
const START_TIMEOUT_MS = 60_000;

export const LOCAL_MONGODB_URI = `mongodb://${HOST}:${FERRET_PORT}/lamton`;
export const LOCAL_REDIS_URL = `redis://${HOST}:${REDIS_PORT}`;

const defaultLog = (msg) => console.error(`[services] ${msg}`);

/** Error whose message is meant for the person at the terminal (no stack needed). */
export class ServicesError extends Error {}

/**
 * Makes sure Redis and a MongoDB-compatible server are reachable.
 * Uses MONGODB_URI / REDIS_URL when set (non-empty); otherwise starts or reuses the local daemons.
 * @returns {Promise<{ MONGODB_URI: string, REDIS_URL: string }>}
 */
export async function ensureServices({ log = defaultLog } = {}) {
  const envMongo = nonEmpty(process.env.MONGODB_URI);
  const envRedis = nonEmpty(process.env.REDIS_URL);
  if (envMongo && envRedis) return { MONGODB_URI: envMongo, REDIS_URL: envRedis };

  fs.mkdirSync(DATA, { recursive: true });
  const unlock = await lock(log);
  try {
    const REDIS_URL = envRedis ?? (await ensureRedis(log));
    const MONGODB_URI = envMongo ?? (await ensureFerret(log));
    return { MONGODB_URI, REDIS_URL };
  } finally {
    unlock();
  }
}

/** Stops the local daemons (only ours, on our ports); servers named by env are left alone. */
export async function stopServices({ log = defaultLog } = {}) {
  await stopRedis(log);
  await stopFerret(log);
}

/** Installs Debian packages with apt-get (running `apt-get update` once per process); root only. */
export function aptInstall(packages, { log = defaultLog, why = '' } = {}) {
  if (process.getuid?.() !== 0) {
    throw new ServicesError(
      `missing Debian packages: ${packages.join(' ')}${why ? ` (${why})` : ''}.\n` +
        `Install them: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  fs.mkdirSync(DATA, { recursive: true });
  const aptLog = path.join(DATA, 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => {
    const fd = fs.openSync(aptLog, 'a');
    const r = spawnSync('apt-get', args, { stdio: ['ignore', fd, fd], env });
    fs.closeSync(fd);
    if (r.status !== 0) {
      throw new ServicesError(
        `apt-get ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail(aptLog)}`,
      );
    }
  };
  if (!aptUpdated) {
    log('apt-get update…');
    run(['update']);
    aptUpdated = true;
  }
  log(`apt-get install ${packages.join(' ')}…`);
  run(['install', '-y', '--no-install-recommends', ...packages]);
}
let aptUpdated = false;

// ---------------------------------------------------------------- Redis

async function ensureRedis(log) {
  const state = await redisPing(REDIS_PORT);
  if (state === 'pong') return LOCAL_REDIS_URL;
  if (state === 'other') throw portTaken(REDIS_PORT, 'Redis', 'REDIS_URL');

  let bin = findBinary('redis-server');
  if (!bin) {
    if (process.getuid?.() !== 0) {
      throw new ServicesError(
        'redis-server is not installed. Set REDIS_URL to a Redis server, ' +
          'install it (sudo apt-get install -y redis-server) or run `docker compose up`.',
      );
    }
    aptInstall(['redis-server'], { log, why: 'local Redis' });
    bin = findBinary('redis-server');
    if (!bin) throw new ServicesError('redis-server still not found after apt-get install');
  }

  const dir = path.join(DATA, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  log(`starting Redis on ${HOST}:${REDIS_PORT} (data in .data/redis/)`);
  const r = spawnSync(
    bin,
    [
      '--bind',
      HOST,
      '--port',
      String(REDIS_PORT),
      '--daemonize',
      'yes',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--pidfile',
      REDIS_PID,
      '--logfile',
      REDIS_LOG,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (r.status !== 0) {
    throw new ServicesError(
      `redis-server failed to start: ${r.stderr || r.stdout}\n${tail(REDIS_LOG)}`,
    );
  }
  const ok = await waitFor(async () => (await redisPing(REDIS_PORT)) === 'pong');
  if (!ok)
    throw new ServicesError(`Redis did not answer on port ${REDIS_PORT}:\n${tail(REDIS_LOG)}`);
  return LOCAL_REDIS_URL;
}

async function stopRedis(log) {
  if ((await redisPing(REDIS_PORT)) !== 'pong') {
    log('Redis: not running');
    return;
  }
  log(`stopping Redis on port ${REDIS_PORT}`);
  await rawRequest(REDIS_PORT, 'SHUTDOWN\r\n', () => false).catch(() => undefined);
  if (!(await waitFor(async () => (await redisPing(REDIS_PORT)) === 'down', 15_000))) {
    signalPid(REDIS_PID, 'redis-server');
    await waitFor(async () => (await redisPing(REDIS_PORT)) === 'down', 10_000);
  }
}

/** @returns {Promise<'pong' | 'other' | 'down'>} */
async function redisPing(port) {
  try {
    const reply = await rawRequest(port, 'PING\r\n', (buf) => buf.includes(0x0a));
    return reply.toString('latin1').startsWith('+PONG') ? 'pong' : 'other';
  } catch (err) {
    return err.code === 'ETIMEDOUT' || err.code === 'EPROTO' ? 'other' : 'down';
  }
}

// ---------------------------------------------------------------- FerretDB

async function ensureFerret(log) {
  const state = await mongoPing(FERRET_PORT);
  if (state === 'ok') return LOCAL_MONGODB_URI;
  if (state === 'other') throw portTaken(FERRET_PORT, 'FerretDB', 'MONGODB_URI');

  buildFerretIfStale(log);
  const dir = path.join(DATA, 'ferretdb');
  fs.mkdirSync(dir, { recursive: true });
  log(`starting FerretDB on ${HOST}:${FERRET_PORT} (data in .data/ferretdb/)`);
  const out = fs.openSync(FERRET_LOG, 'a');
  const child = spawn(
    FERRET_BIN,
    ['-listen-addr', `${HOST}:${FERRET_PORT}`, '-sqlite-url', `${pathToFileURL(dir).href}/`],
    { cwd: DATA, detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? code));
  child.once('error', (err) => (exited = err.message));
  if (child.pid) fs.writeFileSync(FERRET_PID, `${child.pid}\n`);

  const ok = await waitFor(async () => exited !== null || (await mongoPing(FERRET_PORT)) === 'ok');
  if (!ok || exited !== null) {
    if (exited === null) child.kill('SIGTERM');
    throw new ServicesError(
      `FerretDB did not answer on port ${FERRET_PORT}` +
        `${exited !== null ? ` (exited: ${exited})` : ''}:\n${tail(FERRET_LOG)}`,
    );
  }
  child.unref();
  return LOCAL_MONGODB_URI;
}

function buildFerretIfStale(log) {
  const sources = ['go.mod', 'go.sum', 'main.go'].map((f) => path.join(FERRET_SRC, f));
  const newest = Math.max(...sources.map((f) => mtime(f) ?? 0));
  const built = mtime(FERRET_BIN);
  if (built !== null && built >= newest) return;

  const go = findBinary('go', ['/usr/local/go/bin']);
  if (!go) {
    throw new ServicesError(
      'Go is needed once to build the local FerretDB (tools/ferretdb) but `go` was not found. ' +
        'Install Go ≥ 1.24, or set MONGODB_URI to a MongoDB server, or run `docker compose up`.',
    );
  }
  fs.mkdirSync(path.dirname(FERRET_BIN), { recursive: true });
  const tmp = `${FERRET_BIN}.tmp-${process.pid}`;
  log(
    `building FerretDB (tools/ferretdb → .data/bin/ferretdb); the first build takes a few minutes…`,
  );
  const started = Date.now();
  const r = spawnSync(go, ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], {
    cwd: FERRET_SRC,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    const output = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new ServicesError(`go build of tools/ferretdb failed:\n${output || r.error?.message}`);
  }
  fs.renameSync(tmp, FERRET_BIN);
  log(`FerretDB built in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function stopFerret(log) {
  const pid = readPid(FERRET_PID);
  const up = (await mongoPing(FERRET_PORT)) === 'ok';
  if (!up && !(pid && isAlive(pid))) {
    log('FerretDB: not running');
    fs.rmSync(FERRET_PID, { force: true });
    return;
  }
  log(`stopping FerretDB on port ${FERRET_PORT}`);
  if (!signalPid(FERRET_PID, 'ferretdb')) {
    log(
      `FerretDB answers on ${FERRET_PORT} but was not started from this checkout (no pid file); left running`,
    );
    return;
  }
  const gone = await waitFor(async () => !isAlive(pid), 15_000);
  if (!gone) process.kill(pid, 'SIGKILL');
  fs.rmSync(FERRET_PID, { force: true });
}

/**
 * Sends an OP_MSG `{ ping: 1, $db: "admin" }` and checks for an OP_MSG reply.
 * @returns {Promise<'ok' | 'other' | 'down'>}
 */
async function mongoPing(port) {
  const doc = bson([
    [0x10, 'ping', int32(1)],
    [0x02, '$db', bsonString('admin')],
  ]);
  const body = Buffer.concat([int32(0), Buffer.from([0]), doc]); // flagBits, section kind 0
  const header = Buffer.concat([int32(16 + body.length), int32(1), int32(0), int32(2013)]);
  try {
    const reply = await rawRequest(port, Buffer.concat([header, body]), (buf) =>
      buf.length >= 4 ? buf.length >= buf.readInt32LE(0) : false,
    );
    return reply.length >= 16 && reply.readInt32LE(12) === 2013 ? 'ok' : 'other';
  } catch (err) {
    return err.code === 'ETIMEDOUT' || err.code === 'EPROTO' ? 'other' : 'down';
  }
}

function bson(elements) {
  const parts = elements.map(([type, name, value]) =>
    Buffer.concat([Buffer.from([type]), Buffer.from(`${name}\0`, 'utf8'), value]),
  );
  const inner = Buffer.concat([...parts, Buffer.from([0])]);
  return Buffer.concat([int32(inner.length + 4), inner]);
}

function bsonString(s) {
  const bytes = Buffer.from(`${s}\0`, 'utf8');
  return Buffer.concat([int32(bytes.length), bytes]);
}

function int32(n) {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

// ---------------------------------------------------------------- helpers

/**
 * Connects, writes `payload`, collects bytes until `done(buf)` or the peer closes.
 * Rejects with the socket error (ECONNREFUSED → down) or ETIMEDOUT / EPROTO (something else listens).
 */
function rawRequest(port, payload, done, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    let buf = Buffer.alloc(0);
    let connected = false;
    const finish = (err) => {
      socket.destroy();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(buf);
    };
    const timer = setTimeout(
      () =>
        finish(
          Object.assign(new Error('timeout'), { code: connected ? 'ETIMEDOUT' : 'ECONNTIMEOUT' }),
        ),
      timeoutMs,
    );
    socket.once('connect', () => {
      connected = true;
      socket.write(payload);
    });
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (done(buf)) finish();
    });
    socket.once('end', () => finish());
    socket.once('error', (err) => finish(connected ? Object.assign(err, { code: 'EPROTO' }) : err));
  });
}

async function waitFor(check, timeoutMs = START_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A lock directory so two processes (web + worker, say) do not build or start twice. */
async function lock(log) {
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, 'pid'), `${process.pid}\n`);
      return () => fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const holder = readPid(path.join(LOCK_DIR, 'pid'));
      const age = Date.now() - (mtime(LOCK_DIR) ?? Date.now());
      if ((holder && !isAlive(holder)) || (!holder && age > 5_000)) {
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new ServicesError(`timed out waiting for ${LOCK_DIR}`);
      if (!told) log(`waiting for another process (pid ${holder ?? '?'}) to start the services…`);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function portTaken(port, what, envName) {
  return new ServicesError(
    `port ${HOST}:${port} is in use by something that is not ${what}; ` +
      `free it or set ${envName} to the server you want to use.`,
  );
}

/** Sends SIGTERM to the pid in `pidFile` if that process looks like `name`; true when signalled. */
function signalPid(pidFile, name) {
  const pid = readPid(pidFile);
  if (!pid || !isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(name)) return false;
  } catch {
    // no /proc (not Linux): trust the pid file
  }
  process.kill(pid, 'SIGTERM');
  return true;
}

function readPid(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function findBinary(name, extraDirs = []) {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter),
    ...extraDirs,
    '/usr/bin',
    '/usr/sbin',
    '/usr/local/bin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function tail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${path.relative(ROOT, file)})`;
  }
}

function nonEmpty(value) {
  return value === undefined || value === '' ? undefined : value;
}

async function status() {
  const redis = await redisPing(REDIS_PORT);
  const ferret = await mongoPing(FERRET_PORT);
  const fpid = readPid(FERRET_PID);
  const rpid = readPid(REDIS_PID);
  const show = (name, state, url, pid, envName) => {
    const env = nonEmpty(process.env[envName]);
    const text = {
      pong: 'running',
      ok: 'running',
      other: 'port taken by something else',
      down: 'stopped',
    }[state];
    const extra =
      state === 'pong' || state === 'ok'
        ? ` ${url}${pid && isAlive(pid) ? ` (pid ${pid})` : ''}`
        : '';
    console.log(
      `${name.padEnd(9)}${text}${extra}${env ? ` — note: ${envName} is set, the app uses that instead` : ''}`,
    );
  };
  show('redis', redis, LOCAL_REDIS_URL, rpid, 'REDIS_URL');
  show('ferretdb', ferret, LOCAL_MONGODB_URI, fpid, 'MONGODB_URI');
  return redis === 'pong' && ferret === 'ok';
}

async function cli(command) {
  switch (command) {
    case 'start': {
      const env = await ensureServices();
      console.log(`MONGODB_URI=${env.MONGODB_URI}\nREDIS_URL=${env.REDIS_URL}`);
      return 0;
    }
    case 'stop':
      await stopServices();
      return 0;
    case 'status':
      return (await status()) ? 0 : 3;
    default:
      console.error('usage: node scripts/services.mjs start|stop|status');
      return 2;
  }
}

const invoked =
  process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  cli(process.argv[2]).then(
    (code) => process.exit(code),
    (err) => {
      console.error(
        `[services] ${err instanceof ServicesError ? err.message : (err?.stack ?? err)}`,
      );
      process.exit(1);
    },
  );
}
