import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import type { MessageRepo } from '../messages/message.repo.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import { createCalendarSource } from '../lib/holiday-calendar.js';
import { parseWorkingHours } from '../lib/working-time.js';
import { createOutbox, WEBHOOK_QUEUE, type DeliverJobData } from '../webhooks/outbox.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import { caseRoutes } from './case.routes.js';
import { createMediaLinks, mediaRoutes } from './media.js';
import { createComplaintService } from './complaints.js';
import { counsellorWebhookRoutes } from './counsellor-webhook.routes.js';
import { createHandoffService } from './handoff.service.js';
import { HANDOFF_QUEUE, type HandoffJob } from './queue.js';
import { createServiceClock } from './service-clock.js';
import { createCaseState } from './turn-state.js';
import { isAbsolute, join } from 'node:path';
import { throttledWarn } from '../lib/log-throttle.js';

export interface HandoffContext {
  config: Config;
  log: Logger;
  mongo: Connection;
  redis: Redis;
  prefix: string;
  accounts: AccountRepo;
  people: PersonRepo;
  messages: MessageRepo;
  questions: QuestionRepo;
  audit: AuditRepo;
  metrics: Metrics;
  senders: ReadonlyMap<ChannelId, Sender>;
  /** Signs the media links (the web role's session secret). */
  sessionSecret: string;
  /** What a person consented to share with a counsellor (the journey's profile). */
  profileOf?: (personId: string) => Promise<Record<string, unknown>>;
  /** The project folder (a relative HOLIDAYS_FILE is read from it). */
  root: string;
}

/**
 * Counsellor handoff for the web role: the case and complaint services, the queues they feed
 * (the worker role runs them: `startHandoffWorkers`), the admin API and the inbound webhook.
 */
export function createHandoff(ctx: HandoffContext) {
  const { config } = ctx;
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(ctx.log, 'redis (handoff queues) connection error'));
  const queue = new Queue<HandoffJob>(HANDOFF_QUEUE, { connection, prefix: `${ctx.prefix}bull` });
  const webhookQueue = new Queue<DeliverJobData>(WEBHOOK_QUEUE, {
    connection,
    prefix: `${ctx.prefix}bull`,
  });
  for (const q of [queue, webhookQueue])
    q.on('error', throttledWarn(ctx.log, 'handoff queue error'));
  const outbox = createOutbox(ctx.mongo, webhookQueue, {
    configured: Boolean(config.COUNSELLOR_WEBHOOK_URL && config.COUNSELLOR_WEBHOOK_SECRET),
  });
  ctx.metrics.sources.undeliveredWebhooks = () => outbox.undeliveredCount();
  const calendarPath = isAbsolute(config.HOLIDAYS_FILE)
    ? config.HOLIDAYS_FILE
    : join(ctx.root, config.HOLIDAYS_FILE);
  const clock = createServiceClock(
    parseWorkingHours(config.WORKING_HOURS),
    createCalendarSource(calendarPath, ctx.log),
    config.CASE_FIRST_RESPONSE_MINUTES,
  );
  const service = createHandoffService({
    mongo: ctx.mongo,
    redis: ctx.redis,
    prefix: ctx.prefix,
    log: ctx.log,
    metrics: ctx.metrics,
    outbox,
    queue,
    accounts: ctx.accounts,
    people: ctx.people,
    messages: ctx.messages,
    questions: ctx.questions,
    clock,
    ...(ctx.profileOf ? { profileOf: ctx.profileOf } : {}),
  });
  const complaints = createComplaintService({
    mongo: ctx.mongo,
    outbox,
    queue,
    deadlineDays: config.COMPLAINT_DEADLINE_DAYS,
  });
  const mediaLinks = createMediaLinks({
    secret: ctx.sessionSecret,
    baseUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
  });
  return {
    service,
    /** The person's handoff state in Redis (one read a turn). */
    state: createCaseState(ctx.redis, ctx.prefix),
    complaints,
    outbox,
    mediaLinks,
    mediaRoutes: mediaRoutes({ links: mediaLinks, senders: ctx.senders, log: ctx.log }),
    routes: caseRoutes({
      handoff: service,
      complaints,
      outbox,
      accounts: ctx.accounts,
      audit: ctx.audit,
    }),
    webhookRoutes: counsellorWebhookRoutes({
      secret: config.COUNSELLOR_WEBHOOK_SECRET,
      redis: ctx.redis,
      prefix: ctx.prefix,
      handoff: service,
      complaints,
    }),
    boardQueues: [queue, webhookQueue] as Queue[],
    async close() {
      await Promise.all([queue.close(), webhookQueue.close()]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

export type Handoff = ReturnType<typeof createHandoff>;
export { startHandoffWorkers } from './handoff.workers.js';
export { createCaseRetention } from './retention.js';
