#!/usr/bin/env node
// Entry point behind `npm start` and `npm test`: installs what is missing (npm dependencies,
// Debian packages the tests need), brings up local services unless MONGODB_URI / REDIS_URL are
// set, then runs the app, the tests or any command with that environment.
//
//   node scripts/run.mjs start <all|web|worker>
//   node scripts/run.mjs test [vitest args]
//   node scripts/run.mjs exec <cmd> [args]
//
// Plain Node with no npm dependencies: it runs before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServicesError, aptInstall, ensureServices } from './services.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const ROLES = ['all', 'web', 'worker'];

/** Debian packages the test suite needs, each with a file that shows it is installed. */
const TEST_PACKAGES = [
  ['hunspell', '/usr/bin/hunspell'],
  ['hunspell-bo', '/usr/share/hunspell/bo.dic'],
  ['chromium', '/usr/bin/chromium'],
];

const log = (msg) => console.error(`[run] ${msg}`);

async function main([command, ...args]) {
  const child = childCommand(command, args);
  ensureNodeModules();
  if (command === 'test') ensureTestPackages();
  const services = await ensureServices();
  const env = {
    ...process.env,
    ...services,
    PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  return runChild(child.cmd, child.args, env);
}

function childCommand(command, args) {
  switch (command) {
    case 'start': {
      const role = args[0] ?? 'all';
      if (!ROLES.includes(role)) throw usage(`unknown role "${role}"`);
      return {
        cmd: path.join(BIN, 'tsx'),
        args: ['src/main.ts', `--role=${role}`, ...args.slice(1)],
      };
    }
    case 'test':
      return { cmd: path.join(BIN, 'vitest'), args: ['run', ...args] };
    case 'exec':
      if (!args[0]) throw usage('exec needs a command');
      return { cmd: args[0], args: args.slice(1) };
    default:
      throw usage(command ? `unknown command "${command}"` : 'no command');
  }
}

function usage(problem) {
  return new ServicesError(
    `${problem}\nusage: node scripts/run.mjs start <all|web|worker> | test [vitest args] | exec <cmd> [args]`,
  );
}

/**
 * `npm ci` when node_modules is missing or older than package-lock.json. Falls back to
 * `npm install --no-save`: registry mirrors without other platforms' optional packages (darwin,
 * win32 builds of msgpackr-extract, say) leave the lock "out of sync" for `npm ci` only.
 */
function ensureNodeModules() {
  const lockFile = path.join(ROOT, 'package-lock.json');
  const installed = mtime(path.join(ROOT, 'node_modules', '.package-lock.json'));
  const hasLock = fs.existsSync(lockFile);
  const stale = installed === null || (hasLock && (mtime(lockFile) ?? 0) > installed);
  if (!stale) return;
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  // One calm line for a newcomer; npm's own output only when every way of installing failed.
  log('installing npm dependencies (a minute or two the first time)…');
  const attempts = hasLock
    ? [
        ['ci', ...quiet],
        ['install', '--no-save', ...quiet],
      ]
    : [['install', ...quiet]];
  const outputs = [];
  for (const args of attempts) {
    const r = npm(args);
    if (r.ok) return;
    outputs.push(`$ npm ${args.join(' ')}\n${r.output}`);
  }
  process.stderr.write(outputs.join('\n'));
  throw new ServicesError('installing npm dependencies failed (npm output above)');
}

function npm(args) {
  const r = spawnSync('npm', args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-20_000) };
}

function ensureTestPackages() {
  const missing = TEST_PACKAGES.filter(([, file]) => !fs.existsSync(file)).map(([name]) => name);
  if (missing.length > 0) aptInstall(missing, { log, why: 'needed by the tests' });
}

function runChild(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
    // Forward the first of each signal only: a Ctrl-C in a terminal already reaches the child
    // (same process group) and npm forwards it again; repeats would cut a graceful shutdown short.
    const forwarded = new Set();
    const forward = (signal) => {
      if (forwarded.has(signal)) return;
      forwarded.add(signal);
      child.kill(signal);
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, forward);
    child.once('error', (err) =>
      reject(new ServicesError(err.code === 'ENOENT' ? `command not found: ${cmd}` : err.message)),
    );
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      // Exit the shell way (128 + n) when the child died of a signal.
      resolve(code ?? 128 + (signal ? (osSignals[signal] ?? 1) : 1));
    });
  });
}

const osSignals = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ServicesError ? `[run] ${err.message}` : err);
    process.exit(1);
  },
);
