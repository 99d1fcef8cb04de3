import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import { createEmploymentService } from './employment.service.js';
import { createJourneyQueue } from './journey.workers.js';
import { planRoutes } from './plan.routes.js';
import { createPersonLock } from './plan.lock.js';
import { createPlanService } from './plan.service.js';
import type { PlanTurnDeps } from './plan.turn.js';

export interface PlanningContext {
  config: Pick<Config, 'REDIS_URL'>;
  log: Logger;
  mongo: Connection;
  redis: Redis;
  prefix: string;
  audit: Pick<AuditRepo, 'record'>;
  now?: () => Date;
}

/**
 * The web role's action plan and employment record (standard 7.1(4), 7.2(6)): the services, the
 * journey queue they add reminders and follow-ups to (the worker role runs it:
 * `startJourneyWorkers`), the conversation's part (`turn`) and the admin API (`routes`).
 */
export function createPlanning(ctx: PlanningContext) {
  const producer = createJourneyQueue({
    redisUrl: ctx.config.REDIS_URL,
    prefix: ctx.prefix,
    log: ctx.log,
  });
  const lock = createPersonLock(ctx.redis, ctx.prefix);
  const plans = createPlanService({ mongo: ctx.mongo, queue: producer.queue, lock });
  const employment = createEmploymentService({ mongo: ctx.mongo, queue: producer.queue, lock });
  const turn: PlanTurnDeps = { plans, employment, redis: ctx.redis, prefix: ctx.prefix };
  return {
    queue: producer.queue,
    plans,
    employment,
    turn,
    routes: planRoutes({ plans, audit: ctx.audit, ...(ctx.now ? { now: ctx.now } : {}) }),
    close: () => producer.close(),
  };
}

export type Planning = ReturnType<typeof createPlanning>;
