import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import { parseQuietHours } from '../lib/quiet-hours.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import { startWebhookWorker } from '../webhooks/deliver.worker.js';
import { createOutbox } from '../webhooks/outbox.js';
import { startHandoffWorker } from './handoff.worker.js';

export interface HandoffWorkersDeps {
  config: Config;
  log: Logger;
  redis: Redis;
  mongo: Connection;
  prefix: string;
  metrics: Metrics;
  senders: ReadonlyMap<ChannelId, Sender>;
  translator: Translator;
  now?: () => Date;
  /** Tests shorten the webhook backoff (production: 10 s doubling to 1 h, for 25 h). */
  webhookBackoff?: { baseMs: number; maxMs: number };
}

/**
 * The worker role's side of the handoff: delivering events to the counsellor system (when
 * `COUNSELLOR_WEBHOOK_URL` and its secret are set) and everything sent to a person about a case.
 */
export async function startHandoffWorkers(deps: HandoffWorkersDeps) {
  const { config } = deps;
  // The worker's own outbox (escalations): no queue of its own, the events' jobs go through a
  // producer created by the worker below.
  const webhooks =
    config.COUNSELLOR_WEBHOOK_URL && config.COUNSELLOR_WEBHOOK_SECRET
      ? await startWebhookWorker({
          redisUrl: config.REDIS_URL,
          prefix: deps.prefix,
          mongo: deps.mongo,
          log: deps.log,
          metrics: deps.metrics,
          url: config.COUNSELLOR_WEBHOOK_URL,
          secret: config.COUNSELLOR_WEBHOOK_SECRET,
          ...(deps.webhookBackoff ? { backoff: deps.webhookBackoff } : {}),
        })
      : undefined;
  const handoff = await startHandoffWorker({
    redisUrl: config.REDIS_URL,
    redis: deps.redis,
    prefix: deps.prefix,
    mongo: deps.mongo,
    log: deps.log,
    metrics: deps.metrics,
    senders: deps.senders,
    translator: deps.translator,
    outbox: createOutbox(deps.mongo, webhooks?.queue, { configured: Boolean(webhooks) }),
    quietHours: parseQuietHours(config.QUIET_HOURS),
    publicUrl: config.PUBLIC_URL,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    async close() {
      await handoff.close();
      await webhooks?.close();
    },
  };
}
