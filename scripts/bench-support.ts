/**
 * What the conversation benchmarks share (bench:turns, bench:wechat): the Telegram conversation
 * script and its driver, CPU accounting per process, and starting a server process.
 */

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Update } from 'telegraf/types';
import {
  callbackUpdate,
  commandUpdate,
  textUpdate,
  type BotApiServer,
} from '../test/support/bot-api/index.js';

export const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50);
export const TURNS = Number(process.env.BENCH_TURNS ?? 40);
export const SECRET = 'bench_secret';
export const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);

/** One person's conversation, repeated: real menu navigation, free text and keywords. */
export function script(chat: number, i: number): Update {
  const steps: (() => Update)[] = [
    () => commandUpdate(chat, 'start'),
    () => callbackUpdate(chat, i % 2 === 0 ? 'language:choose#zh' : 'language:choose#bo'),
    () => callbackUpdate(chat, 'main:menu#interview'),
    () => callbackUpdate(chat, 'interview:start#practice'),
    () => textUpdate(chat, '我叫卓玛，以前在超市做了八年理货员'),
    () => textUpdate(chat, 'ཁྱེད་རང་ལ་ཐུགས་རྗེ་ཆེ།'),
    () => textUpdate(chat, '菜单'),
    () => callbackUpdate(chat, 'main:menu#training'),
  ];
  return steps[i % steps.length]!();
}

/** Resolves when the Bot API server receives a sendMessage for `chat`. */
export function replyWaiters(api: BotApiServer) {
  const waiting = new Map<number, () => void>();
  let id = 1;
  api.handle('sendMessage', (params) => {
    const chat = Number(params.chat_id);
    const done = waiting.get(chat);
    waiting.delete(chat);
    done?.();
    return {
      message_id: id++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat, type: 'private' },
      text: String(params.text),
    };
  });
  return (chat: number) => new Promise<void>((resolve) => waiting.set(chat, resolve));
}

export async function drive(
  name: string,
  url: string,
  api: BotApiServer,
  headers: Record<string, string>,
  thinkMs = 0,
) {
  const waitReply = replyWaiters(api);
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PEOPLE }, async (_, p) => {
      const chat = 500_000 + p + (name === 'echo' ? 100_000 : 0);
      for (let i = 0; i < TURNS; i++) {
        const update = name === 'echo' ? textUpdate(chat, `hello ${i}`) : script(chat, i);
        const replied = waitReply(chat);
        const t0 = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(update),
        });
        await res.arrayBuffer();
        await replied;
        latencies.push(performance.now() - t0);
        // Paced runs: a person reads the reply before writing again (0.5–1.5 × thinkMs).
        if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    name,
    turns: latencies.length,
    p50: pct(0.5),
    p99: pct(0.99),
    perSecond: latencies.length / seconds,
  };
}

/** CPU seconds used so far by a process (Linux /proc), 0 when unknown. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Pids of the local Redis and FerretDB daemons (whose CPU is part of a Lamton turn). */
export function daemonPids(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('ferretdb') && cmd.includes('27018')) out.ferretdb = Number(pid);
      if (cmd.includes('redis-server') && cmd.includes('6381')) out.redis = Number(pid);
    } catch {
      // the process went away meanwhile
    }
  }
  return out;
}

/** CPU milliseconds per turn of each process over a run. */
export async function withCpu<T extends { turns: number }>(
  pids: Record<string, number>,
  run: () => Promise<T>,
) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  const self = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(self);
  const cpu: Record<string, number> = {
    'load generator + Bot API server': (used.user + used.system) / 1000 / result.turns,
  };
  for (const [k, p] of Object.entries(pids))
    cpu[k] = ((cpuSeconds(p) - (before[k] ?? 0)) * 1000) / result.turns;
  return { ...result, cpu };
}

/** Starts a process and resolves with the URL it prints on its first stdout line. */
export function spawnServer(
  args: string[],
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  // BENCH_PROFILE=<dir> writes a CPU profile of each server process there.
  const prof = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /READY (\S+)/.exec(buf);
      if (m?.[1])
        resolve({ url: m[1], pid: child.pid ?? 0, stop: () => (child.kill('SIGTERM'), exited) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${String(code)}`)));
  });
}
