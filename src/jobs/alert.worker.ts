import { STALLS_ALLOWED } from '../lib/stalls.js';
import { DelayedError, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { CHANNEL_PREFERENCE } from '../campaigns/audience.js';
import { channelRate } from '../campaigns/campaign.worker.js';
import { limiterFor } from '../campaigns/queues.js';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import { parseQuietHours } from '../lib/quiet-hours.js';
import { startSweep } from '../lib/sweep.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import { createPersonRepo } from '../people/person.repo.js';
import { districtNamer } from './alert.messages.js';
import { createAlertProcessor } from './alert.processor.js';
import { addAlertJobs, ALERT_QUEUE, alertJobSchema, type AlertJob } from './alert.queue.js';
import { createAlertRepo } from './alert.repo.js';
import { createJobRepo } from './job.repo.js';
import { createMatcher } from './match.js';
import { createSubscriptionRepo } from './subscription.repo.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface AlertWorkerDeps {
  config: Pick<
    Config,
    | 'REDIS_URL'
    | 'QUIET_HOURS'
    | 'ALERTS_PER_DAY'
    | 'TELEGRAM_BROADCAST_RATE'
    | 'WECHAT_BROADCAST_RATE'
  >;
  redis: Redis;
  prefix: string;
  mongo: Connection;
  log: Logger;
  senders: ReadonlyMap<ChannelId, Sender>;
  translator: Translator;
  metrics: Metrics;
  /** The glossary's districts (Chinese → Tibetan), for Tibetan alerts. */
  districts: readonly { zh: string; bo: string }[];
  /** The clock deciding quiet hours, the day's allowance and the digest's time (tests move it). */
  now?: () => Date;
  /** How often unmatched postings are looked for (default a minute). */
  sweepEveryMs?: number;
}

/** Alert jobs a worker process runs at once. */
const CONCURRENCY = 10;

/**
 * The worker role's job alerts: matches each new or edited posting against the subscription
 * index, then sends each person's alert (or holds it for their daily digest) at outreach's pace:
 * BullMQ's limiter at the slowest configured channel's outreach rate, the channel's shared
 * budget (live replies first), one background message a second to a chat, quiet hours.
 * Rebuilds the index first when it was built with another vocabulary (or never).
 */
/** A posting not matched this long after its save has lost its match job (the sweep's age). */
const SWEEP_AFTER_MS = 60_000;

export async function startAlertWorker(deps: AlertWorkerDeps) {
  const now = deps.now ?? (() => new Date());
  const connection = new Redis(deps.config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(deps.log, 'redis (alert worker) connection error'));
  const opts = { connection, prefix: `${deps.prefix}bull` };
  const queue = new Queue<AlertJob>(ALERT_QUEUE, opts);
  queue.on('error', throttledWarn(deps.log, 'alert queue error'));
  const matcher = createMatcher({ redis: deps.redis, prefix: deps.prefix, mongo: deps.mongo });
  const rebuilt = await matcher.ensureIndex().catch((err: unknown) => {
    deps.log.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'alert index rebuild failed',
    );
    return null;
  });
  if (rebuilt) deps.log.info({ ...rebuilt }, 'job alert index rebuilt');

  const channels = CHANNEL_PREFERENCE.filter((c) => deps.senders.has(c));
  const rate = Math.min(...channels.map((c) => channelRate(deps.config, c)), 200);
  const holder: { worker?: Worker<AlertJob> } = {};
  const jobs = createJobRepo(deps.mongo);
  const process = createAlertProcessor({
    jobs,
    alerts: createAlertRepo(deps.mongo),
    subscriptions: createSubscriptionRepo(deps.mongo),
    matcher,
    people: createPersonRepo(deps.mongo),
    senders: deps.senders,
    preference: channels,
    redis: deps.redis,
    prefix: deps.prefix,
    translator: deps.translator,
    district: districtNamer(deps.districts),
    quietHours: parseQuietHours(deps.config.QUIET_HOURS),
    alertsPerDay: deps.config.ALERTS_PER_DAY,
    metrics: deps.metrics,
    log: deps.log,
    now,
    enqueue: (jobs) => addAlertJobs(queue, jobs),
    rateLimit: async (ms) => holder.worker?.rateLimit(ms),
  });
  const worker = new Worker<AlertJob>(
    ALERT_QUEUE,
    async (job, token) => {
      const parsed = alertJobSchema.safeParse(job.data);
      if (!parsed.success) return 'skipped';
      return process(parsed.data, {
        attempt: job.attemptsMade,
        async hold(ms) {
          // Quiet hours, the chat's pace: back to wait, not a failed attempt.
          if (!token) throw new Error('alert job held without a lock token');
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError();
        },
      });
    },
    {
      ...opts,
      concurrency: CONCURRENCY,
      limiter: limiterFor(rate),
      maxStalledCount: STALLS_ALLOWED,
    },
  );
  holder.worker = worker;
  worker.on('error', throttledWarn(deps.log, 'alert worker error'));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      deps.log.error({ err: err.message, jobId: job.id }, 'job alert given up');
  });
  // A posting saved while Redis could not take its match job (full, read-only, away) is matched
  // here: every minute, the open postings saved over a minute ago and never matched.
  async function matchUnmatched(): Promise<number> {
    const ids = await jobs.unmatched(new Date(now().getTime() - SWEEP_AFTER_MS), 500);
    const round = Math.floor(now().getTime() / SWEEP_AFTER_MS);
    await addAlertJobs(
      queue,
      ids.map((jobId) => ({ id: `match-${jobId}-sweep-${round}`, data: { kind: 'match', jobId } })),
    );
    return ids.length;
  }
  const stopSweep = startSweep(matchUnmatched, deps.sweepEveryMs ?? SWEEP_AFTER_MS, (err) =>
    deps.log.warn({ err }, 'unmatched postings not checked; trying again'),
  );

  return {
    worker,
    queue,
    matcher,
    matchUnmatched,
    async close() {
      stopSweep();
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
