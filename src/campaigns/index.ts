import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import { createAudienceReader } from './audience.js';
import { createCampaignRepo } from './campaign.repo.js';
import { campaignRoutes } from './campaign.routes.js';
import { createCampaignService, type CampaignService } from './campaign.service.js';
import type { CampaignJobData } from './fanout.processor.js';
import { announcementRoutes } from './announcement.routes.js';
import { MAINTENANCE_QUEUE } from '../retention/retention.worker.js';
import { CAMPAIGN_QUEUE, quietFlagKey, sendQueueName } from './queues.js';
import { createSendRate } from './rate.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface CampaignsContext {
  config: Config;
  log: Logger;
  mongo: Connection;
  redis: Redis;
  prefix: string;
  senders: ReadonlyMap<ChannelId, Sender>;
  audit: AuditRepo;
  translator: Translator;
}

/**
 * The web role's side of outreach: the service the admin API and pages use, and a producer
 * of the campaign queue (the worker role runs the queues: `startCampaignWorkers`).
 */
export function createCampaigns(ctx: CampaignsContext) {
  const connection = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(ctx.log, 'redis (campaign queue) connection error'));
  const queue = new Queue<CampaignJobData>(CAMPAIGN_QUEUE, {
    connection,
    prefix: `${ctx.prefix}bull`,
  });
  queue.on('error', throttledWarn(ctx.log, 'campaign queue error'));
  // What bull-board shows: the campaign queue, each channel's send queue, the maintenance queue.
  const watched = [...ctx.senders.keys()].map(sendQueueName).concat(MAINTENANCE_QUEUE);
  const boardQueues: Queue[] = [
    queue,
    ...watched.map((name) => {
      const q = new Queue(name, { connection, prefix: `${ctx.prefix}bull` });
      q.on('error', () => undefined); // the campaign queue's error log covers the connection
      return q;
    }),
  ];
  const campaigns = createCampaignRepo(ctx.mongo);
  const rate = createSendRate(ctx.redis, ctx.prefix);
  const service: CampaignService = createCampaignService({
    campaigns,
    audience: createAudienceReader(ctx.mongo),
    queue,
    senders: ctx.senders,
    audit: ctx.audit,
    translator: ctx.translator,
    approvalThreshold: ctx.config.CAMPAIGN_APPROVAL_THRESHOLD,
    recentSent: (id) => rate.recent(id),
    quietHeld: async () => (await ctx.redis.exists(quietFlagKey(ctx.prefix))) === 1,
    log: ctx.log,
  });
  return {
    service,
    queue,
    repo: campaigns,
    routes: campaignRoutes({ service }),
    publicRoutes: announcementRoutes({ campaigns }),
    boardQueues,
    async close() {
      await Promise.all(boardQueues.map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

export type Campaigns = ReturnType<typeof createCampaigns>;
export { startCampaignWorkers } from './campaign.worker.js';
