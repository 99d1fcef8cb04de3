import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import type { ProfileService } from '../journey/profile.service.js';
import type { PersonData } from '../journey/person-data.js';
import { districtNamer, type DistrictName } from './alert.messages.js';
import type { AlertJob } from './alert.queue.js';
import { createAlertRepo } from './alert.repo.js';
import type { JobRepo } from './job.repo.js';
import type { JobEvent } from './job.service.js';
import type { JobsTurnDeps } from './jobs.turn.js';
import { createMatcher, type Matcher } from './match.js';
import { createMatchQueue } from './match-queue.js';
import { createSubscriptionRepo, type SubscriptionRepo } from './subscription.repo.js';
import { alertWish } from './wish.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface AlertsContext {
  config: Pick<Config, 'REDIS_URL' | 'ALERTS_PER_DAY'>;
  log: Logger;
  mongo: Connection;
  redis: Redis;
  prefix: string;
  translator: Translator;
  /** The glossary's districts (Chinese → Tibetan). */
  districts: readonly { zh: string; bo: string }[];
  /** The postings (recommendations read the open ones; they count how many people saw each). */
  jobs: Pick<JobRepo, 'list' | 'addReach'>;
  /** The profile (recommendations use its wanted work, district and self-assessment). */
  profiles: () => Pick<ProfileService, 'view'>;
}

export interface Alerts {
  subscriptions: SubscriptionRepo;
  matcher: Matcher;
  /** The alert queue's producer (the web role adds `match` jobs; bull-board shows it). */
  queue: Queue<AlertJob>;
  /** The chat side: subscribe, list, unsubscribe, digest, recommend. */
  turn: JobsTurnDeps;
  /** "有保安岗位通知我" → the work to subscribe to. */
  wish: (text: string) => string[] | null;
  /** Give to `jobs.onPosted`: a new or edited posting is matched by the worker role. */
  posted(event: JobEvent): Promise<void>;
  /** Subscriptions and alert records for /delete, /link and /mydata. */
  personData: PersonData;
  /** The glossary district in the reader's language. */
  district: DistrictName;
  close(): Promise<void>;
}

/**
 * Job alerts (issue 13), the web role's side: subscriptions from the chat kept in MongoDB and in
 * the Redis match index, matching queued when a posting is saved, recommendations, and the
 * person's records for privacy. The worker role sends (alert.worker.ts).
 */
export function createAlerts(ctx: AlertsContext): Alerts {
  const subscriptions = createSubscriptionRepo(ctx.mongo);
  const matcher = createMatcher({ redis: ctx.redis, prefix: ctx.prefix, mongo: ctx.mongo });
  const records = createAlertRepo(ctx.mongo);
  const producer = createMatchQueue({
    redisUrl: ctx.config.REDIS_URL,
    prefix: ctx.prefix,
    onError: throttledWarn(ctx.log, 'alert queue error'),
  });
  const district = districtNamer(ctx.districts);
  const turn: JobsTurnDeps = {
    subscriptions,
    matcher,
    jobs: ctx.jobs,
    get profiles() {
      return ctx.profiles();
    },
    translator: ctx.translator,
    district,
    alertsPerDay: ctx.config.ALERTS_PER_DAY,
  };

  return {
    subscriptions,
    matcher,
    queue: producer.queue,
    turn,
    wish: alertWish,
    district,
    posted: (event) => producer.posted(event),
    personData: {
      async erase(personId) {
        for (const sub of await subscriptions.removeAll(personId)) await matcher.remove(sub);
        await records.removePerson(personId);
      },
      async withdrawn(personId) {
        // The wanted work the intake subscribed to came from the profile: it goes with it.
        for (const sub of await subscriptions.list(personId))
          if (sub.source === 'intake') {
            const gone = await subscriptions.remove(personId, sub.id);
            if (gone) await matcher.remove(gone);
          }
      },
      async merge(from, into) {
        const moved = await subscriptions.moveTo(from, into);
        await matcher.move(moved, into);
        await records.moveTo(from, into);
      },
      async describe(personId, lang) {
        const subs = await subscriptions.list(personId);
        if (subs.length === 0) return [];
        const what = subs
          .map((s) =>
            [
              s.keywords.join(lang === 'bo' ? ' ' : '、'),
              s.district ? district(s.district, lang) : '',
            ]
              .filter(Boolean)
              .join(' · '),
          )
          .join(lang === 'bo' ? '། ' : '；');
        return [ctx.translator.t(lang, 'alerts:mydata', { count: subs.length, value: what })];
      },
    },
    close: () => producer.close(),
  };
}
