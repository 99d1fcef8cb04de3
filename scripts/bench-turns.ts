/**
 * npm run bench:turns — conversation turns through the Telegram webhook at 50 concurrent people:
 * p50/p99 latency from webhook POST to the reply reaching the Bot API server, and turns per
 * second, beside a bare telegraf + fastify echo bot on the same machine in the same run.
 * Everything runs on 127.0.0.1 (the Bot API server is the test suite's fake).
 */
import {
  PEOPLE,
  TURNS,
  SECRET,
  THINK_MS,
  drive,
  daemonPids,
  withCpu,
  spawnServer,
} from './bench-support.js';
import { startBotApiServer } from '../test/support/bot-api/index.js';

async function main() {
  const api = await startBotApiServer();
  const lamton = await spawnServer(['scripts/bench-lamton-server.ts'], {
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PUBLIC_URL: 'https://bench.example.org',
    LOG_LEVEL: 'silent',
  });
  const echo = await spawnServer(['scripts/bench-echo-bot.ts'], {
    BOT_TOKEN: api.token,
    BOT_API_ROOT: api.apiRoot,
  });
  const hook = `${lamton.url}/webhooks/telegram`;
  const headers = { 'x-telegram-bot-api-secret-token': SECRET };
  // Warm-up (JIT, connection pools), then the measured runs.
  await drive('lamton', hook, api, headers);
  await drive('echo', echo.url, api, {});
  api.reset();
  const ours = await withCpu({ lamton: lamton.pid, ...daemonPids() }, () =>
    drive('lamton', hook, api, headers),
  );
  api.reset();
  const bare = await withCpu({ echo: echo.pid }, () => drive('echo', echo.url, api, {}));
  api.reset();
  const oursPaced = await drive('lamton', hook, api, headers, THINK_MS);
  api.reset();
  const barePaced = await drive('echo', echo.url, api, {}, THINK_MS);
  const cpuLine = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
  const fmt = (r: { name: string; turns: number; p50: number; p99: number; perSecond: number }) =>
    `  ${r.name.padEnd(8)} turns=${r.turns} p50=${r.p50.toFixed(1)}ms p99=${r.p99.toFixed(1)}ms throughput=${r.perSecond.toFixed(0)} turns/s`;
  process.stdout.write(
    [
      `${PEOPLE} concurrent people, ${TURNS} turns each; servers and load generator in separate processes`,
      'saturated (each person writes again as soon as the reply arrives):',
      fmt(ours),
      fmt(bare),
      `  throughput lamton/echo = ${(ours.perSecond / bare.perSecond).toFixed(2)}`,
      `  CPU ms per turn, lamton run: ${cpuLine(ours.cpu)}`,
      `  CPU ms per turn, echo run:   ${cpuLine(bare.cpu)}`,
      `paced (each person reads for ${THINK_MS / 2}–${(THINK_MS * 3) / 2} ms before writing again):`,
      fmt(oursPaced),
      fmt(barePaced),
      '',
    ].join('\n'),
  );
  await echo.stop();
  await lamton.stop();
  await api.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
