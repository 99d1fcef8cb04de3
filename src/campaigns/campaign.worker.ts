import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import { parseQuietHours } from '../lib/quiet-hours.js';
import { startSweep } from '../lib/sweep.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import { createAudienceReader } from './audience.js';
import { createCampaignRepo, type CampaignRepo } from './campaign.repo.js';
import { createCampaignProcessor, type CampaignJobData } from './fanout.processor.js';
import {
  CAMPAIGN_QUEUE,
  jobOpts,
  limiterFor,
  quietFlagKey,
  sendQueueName,
  type SendJobData,
} from './queues.js';
import { createSendRate } from './rate.js';
import { createSendProcessor } from './send.processor.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface CampaignWorkerDeps {
  config: Config;
  mongo: Connection;
  redis: Redis;
  prefix: string;
  /** Default: the repository on `mongo`. */
  campaignRepo?: CampaignRepo;
  people: Pick<PersonRepo, 'findById' | 'setReachable'>;
  senders: ReadonlyMap<ChannelId, Sender>;
  translator: Translator;
  metrics: Metrics;
  log: Logger;
  /** How often stored campaigns are checked for their job (default a minute). */
  sweepEveryMs?: number;
  now?: () => Date;
  /** Tests: how often a sending campaign is checked (default 2 s). */
  watchEveryMs?: number;
  /** Benchmarks: a channel's outreach rate other than the configured one (messages/s). */
  rates?: Partial<Record<ChannelId, number>>;
}

/** Outreach messages per second for a channel, all workers together. */
export function channelRate(
  config: Pick<Config, 'TELEGRAM_BROADCAST_RATE' | 'WECHAT_BROADCAST_RATE'>,
  channel: ChannelId,
): number {
  if (channel === 'telegram') return config.TELEGRAM_BROADCAST_RATE;
  if (channel === 'wechat') return config.WECHAT_BROADCAST_RATE;
  return 200; // the web inbox: a Redis write
}

/** Concurrent sends per worker process: enough to fill the channel's rate at ~100 ms a send. */
const concurrencyFor = (rate: number) => Math.max(1, Math.min(50, Math.ceil(rate / 5)));

/**
 * The worker role's outreach: the campaign lifecycle queue and one send queue per channel with
 * a sender here, each paced by BullMQ's limiter (global across every worker process).
 */
export async function startCampaignWorkers(deps: CampaignWorkerDeps) {
  const now = deps.now ?? (() => new Date());
  const campaigns = deps.campaignRepo ?? createCampaignRepo(deps.mongo);
  const connection = new Redis(deps.config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(deps.log, 'redis (campaign worker) connection error'));
  const opts = { connection, prefix: `${deps.prefix}bull` };
  const sendQueues = new Map<ChannelId, Queue<SendJobData>>();
  const workers: Worker[] = [];
  const quietHours = parseQuietHours(deps.config.QUIET_HOURS);
  const t = deps.translator.t.bind(deps.translator);
  const rate = createSendRate(deps.redis, deps.prefix);

  for (const [channel, sender] of deps.senders) {
    const name = sendQueueName(channel);
    const queue = new Queue<SendJobData>(name, opts);
    queue.on('error', throttledWarn(deps.log.child({ channel }), 'outreach queue error'));
    sendQueues.set(channel, queue);
    const perSecond = deps.rates?.[channel] ?? channelRate(deps.config, channel);
    let worker: Worker<SendJobData> | undefined = undefined;
    const processor = createSendProcessor({
      channel,
      sender,
      campaigns,
      people: deps.people,
      redis: deps.redis,
      prefix: deps.prefix,
      t,
      quietHours,
      metrics: deps.metrics,
      log: deps.log,
      publicUrl: deps.config.PUBLIC_URL,
      now,
      rate,
      rateLimit: async (ms) => worker?.rateLimit(ms),
    });
    worker = new Worker<SendJobData>(name, processor, {
      ...opts,
      concurrency: concurrencyFor(perSecond),
      limiter: limiterFor(perSecond),
    });
    worker.on('failed', (job, err) => {
      if (err.name !== 'UnrecoverableError' && job && job.attemptsMade < (job.opts.attempts ?? 1))
        return; // will be retried
      deps.log.warn({ jobId: job?.id, channel, err: err.message }, 'outreach send given up');
    });
    worker.on('error', throttledWarn(deps.log.child({ channel }), 'outreach worker error'));
    workers.push(worker);
  }

  // A hold for quiet hours (BullMQ's limiter, the admin pages' flag) set under an earlier
  // QUIET_HOURS lasts until that setting's morning: outside quiet hours now, it is lifted, so a
  // changed setting takes effect at the restart.
  // (Only a hold the quiet hours set, marked by their flag: a channel's 429 pause stays.)
  if (quietHours.msUntilEnd(now()) === 0 && (await deps.redis.exists(quietFlagKey(deps.prefix)))) {
    await Promise.all([...sendQueues.values()].map((q) => q.removeRateLimitKey()));
    await deps.redis.del(quietFlagKey(deps.prefix));
  }

  const campaignWorker = new Worker<CampaignJobData>(
    CAMPAIGN_QUEUE,
    createCampaignProcessor({
      campaigns,
      audience: createAudienceReader(deps.mongo),
      sendQueues,
      log: deps.log,
      now,
      ...(deps.watchEveryMs ? { watchEveryMs: deps.watchEveryMs } : {}),
    }),
    {
      ...opts,
      concurrency: 4,
      // A worker killed mid-fan-out: another takes the campaign up again, however often.
      maxStalledCount: 1000,
    },
  );
  campaignWorker.on('failed', (job, err) =>
    deps.log.error({ jobId: job?.id, err: err.message }, 'campaign job failed'),
  );
  campaignWorker.on('error', throttledWarn(deps.log, 'campaign worker error'));
  workers.push(campaignWorker);

  // Every stored campaign waiting to start has its job: a create or approval whose job Redis did
  // not take (full, read-only, away) is queued here within a minute. A job already there is kept
  // (one id per campaign), so this never starts a campaign twice.
  const lifecycle = new Queue<CampaignJobData>(CAMPAIGN_QUEUE, opts);
  lifecycle.on('error', throttledWarn(deps.log, 'campaign queue error'));
  async function scheduleStored(): Promise<void> {
    for (const c of await campaigns.scheduled(1000)) {
      const id = c._id.toHexString();
      await lifecycle.add(
        'run',
        { campaignId: id },
        jobOpts(id, c.sendAt.getTime() - now().getTime()),
      );
    }
  }
  const stopSweep = startSweep(
    scheduleStored,
    deps.sweepEveryMs ?? 60_000,
    (err) => deps.log.warn({ err }, 'scheduled campaigns not checked; trying again'),
    { atStart: true },
  );

  return {
    sendQueues,
    scheduleStored,
    async close() {
      stopSweep();
      await Promise.all(workers.map((w) => w.close()));
      await lifecycle.close();
      await Promise.all([...sendQueues.values()].map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
