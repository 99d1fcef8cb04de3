import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import { parseQuietHours } from '../lib/quiet-hours.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import { startJourneyWorker } from './journey.worker.js';
import { JOURNEY_QUEUE, type JourneyJob } from './plan.jobs.js';
import { throttledWarn } from '../lib/log-throttle.js';

export { journeyJobIds, JOURNEY_QUEUE, type JourneyJob } from './plan.jobs.js';

/**
 * The journey queue's producer (web and worker roles): reminders and follow-ups are added with
 * their deterministic ids; `close()` ends its own Redis connection.
 */
export function createJourneyQueue(ctx: { redisUrl: string; prefix: string; log: Logger }) {
  const connection = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(ctx.log, 'redis (journey queue) connection error'));
  const queue = new Queue<JourneyJob>(JOURNEY_QUEUE, {
    connection,
    prefix: `${ctx.prefix}bull`,
  });
  queue.on('error', throttledWarn(ctx.log, 'journey queue error'));
  return {
    queue,
    async close() {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

export interface JourneyWorkersDeps {
  config: Pick<Config, 'REDIS_URL' | 'QUIET_HOURS'>;
  log: Logger;
  redis: Redis;
  mongo: Connection;
  prefix: string;
  senders: ReadonlyMap<ChannelId, Sender>;
  translator: Translator;
  /** The clock deciding quiet hours and due times (tests move it). */
  now?: () => Date;
}

/** The worker role's side of the journey: action-plan reminders and employment follow-ups. */
export async function startJourneyWorkers(deps: JourneyWorkersDeps) {
  const producer = createJourneyQueue({
    redisUrl: deps.config.REDIS_URL,
    prefix: deps.prefix,
    log: deps.log,
  });
  const journey = await startJourneyWorker({
    redisUrl: deps.config.REDIS_URL,
    redis: deps.redis,
    prefix: deps.prefix,
    mongo: deps.mongo,
    log: deps.log,
    senders: deps.senders,
    translator: deps.translator,
    quietHours: parseQuietHours(deps.config.QUIET_HOURS),
    queue: producer.queue,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    worker: journey.worker,
    async close() {
      await journey.close();
      await producer.close();
    },
  };
}
