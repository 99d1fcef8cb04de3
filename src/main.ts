import { loadConfig, ConfigError } from './config.js';
import { buildCore, buildWebDeps } from './deps.js';
import { buildApp } from './http/app.js';
import { createLogger } from './logger.js';
import { startRetentionWorker } from './retention/retention.worker.js';
import { startCampaignWorkers } from './campaigns/index.js';
import { withChannelSenders } from './channels/registry.js';
import { createCaseRetention, startHandoffWorkers } from './handoff/index.js';
import { startAlertWorker } from './jobs/index.js';
import { startJourneyWorkers } from './journey/journey.workers.js';

type Role = 'all' | 'web' | 'worker';

/** Composition root: config → deps → web and/or worker; graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const role = parseRole(process.argv.slice(2));
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL).child({ role });
  // Shared parts once; the web role adds what serves people, the worker only what runs queues.
  const core = await buildCore(config, log);
  const web = role !== 'worker' ? await buildWebDeps(core) : undefined;
  const closers: (() => Promise<void>)[] = [];

  if (web) {
    const app = await buildApp(web);
    await app.listen({ port: config.PORT, host: config.HOST });
    closers.push(() => app.close());
    for (const channel of web.channels) {
      if (channel.start)
        startWithRetry(channel.id, () => channel.start?.() ?? Promise.resolve(), log);
      if (channel.stop) closers.unshift(() => channel.stop?.() ?? Promise.resolve());
    }
    log.info({ url: `http://localhost:${config.PORT}/` }, 'web chat ready');
  }
  if (role !== 'web') {
    const retention = await startRetentionWorker({
      redisUrl: config.REDIS_URL,
      prefix: core.prefix,
      messages: core.messages,
      questions: core.questions,
      retentionMessagesDays: config.RETENTION_MESSAGES_DAYS,
      cases: createCaseRetention(core.mongo),
      retentionCasesDays: config.RETENTION_CASES_DAYS,
      metrics: core.metrics,
      log,
    });
    closers.push(() => retention.close());
    // The core has everything the campaign workers need (connections, repos, senders).
    const outreach = await startCampaignWorkers({ ...core, log });
    // Workers stop taking jobs first; a send in flight finishes (or its job is taken up again).
    closers.unshift(() => outreach.close());
    // Counsellor replies, closings, follow-ups, escalations, and the webhooks to the counsellors.
    // In the all-in-one process, a channel that can only say through itself (another wechaty
    // puppet) delivers counsellors' replies too.
    const senders = web ? withChannelSenders(core.senders, web.channels) : core.senders;
    const handoff = await startHandoffWorkers({ ...core, senders, log });
    closers.unshift(() => handoff.close());
    // The action plan's reminders and the employment follow-ups (quiet hours hold them).
    const journey = await startJourneyWorkers({ ...core, senders, log });
    closers.unshift(() => journey.close());
    // Job alerts: matching new postings, sending alerts and digests at outreach's pace.
    const alerts = await startAlertWorker({ ...core, senders, log });
    closers.unshift(() => alerts.close());
    log.info({ senders: [...core.senders.keys()] }, 'worker ready');
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: draining in-flight work');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000).unref();
    (async () => {
      for (const close of closers)
        await close().catch((err: unknown) => log.error({ err }, 'close failed'));
      await (web ?? core).close();
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    })().catch((err: unknown) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  // The last guard: a promise nobody handled is logged, not allowed to end the process (the lint
  // rule no-floating-promises keeps them out of the code; this catches a library's).
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function parseRole(args: string[]): Role {
  const arg = args.find((a) => a.startsWith('--role='))?.slice('--role='.length) ?? 'all';
  if (arg === 'all' || arg === 'web' || arg === 'worker') return arg;
  process.stderr.write(`Unknown --role=${arg} (expected all, web or worker)\n`);
  process.exit(64);
}

/** A channel that cannot reach its API now must not take the web chat down: retry in the background. */
function startWithRetry(
  channel: string,
  start: () => Promise<void>,
  log: ReturnType<typeof createLogger>,
  delayMs = 30_000,
): void {
  start().catch((err: unknown) => {
    log.error({ err, channel }, `channel start failed; retrying in ${delayMs / 1000}s`);
    setTimeout(() => startWithRetry(channel, start, log, delayMs), delayMs).unref();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Lamton failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
