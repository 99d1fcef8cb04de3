import { STALLS_ALLOWED } from '../lib/stalls.js';
import { DelayedError, UnrecoverableError, Worker, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { CHANNEL_PREFERENCE } from '../campaigns/audience.js';
import { caseKeys } from '../handoff/keys.js';
import type { Translator } from '../i18n.js';
import type { QuietHours } from '../lib/quiet-hours.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { SendError, type Sender } from '../messaging/send.js';
import { createPersonRepo } from '../people/person.repo.js';
import { askFollowup } from './employment.followup.js';
import { createEmploymentService } from './employment.service.js';
import { JOURNEY_QUEUE, journeyJobSchema, type JourneyJob } from './plan.jobs.js';
import { remindStep, type PushDeps } from './plan.reminder.js';
import { createPersonLock } from './plan.lock.js';
import { createPlanService } from './plan.service.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface JourneyWorkerDeps {
  redisUrl: string;
  redis: Redis;
  prefix: string;
  mongo: Connection;
  log: Logger;
  senders: ReadonlyMap<ChannelId, Sender>;
  translator: Translator;
  quietHours: QuietHours;
  /** The journey queue's producer (the services remove and add their own jobs). */
  queue: Pick<Queue<JourneyJob>, 'add' | 'remove'>;
  now?: () => Date;
}

/** How long pushed buttons answer a typed number (as the handoff's). */
const PUSHED_TTL_S = 7 * 86_400;

/**
 * Runs the journey queue: action-plan reminders and the follow-ups after "I found a job", sent
 * to the person's preferred reachable chat, with buttons a typed number also picks.
 */
export async function startJourneyWorker(deps: JourneyWorkerDeps) {
  const people = createPersonRepo(deps.mongo);
  const lock = createPersonLock(deps.redis, deps.prefix);
  const plans = createPlanService({ mongo: deps.mongo, queue: deps.queue, lock });
  const employment = createEmploymentService({ mongo: deps.mongo, queue: deps.queue, lock });
  const keys = caseKeys(deps.prefix);
  const now = deps.now ?? (() => new Date());
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(deps.log, 'redis (journey worker) connection error'));

  /** WeChat first, then Telegram, then the web chat: the first reachable one we can send on. */
  const reach = (personId: string) =>
    people.reach(
      personId,
      CHANNEL_PREFERENCE.filter((c) => deps.senders.has(c)),
    );

  async function push(
    personId: string,
    lang: Lang,
    message: OutgoingMessage,
    notice: { title: string; summary: string },
  ): Promise<boolean> {
    const to = await reach(personId);
    const sender = to && deps.senders.get(to.channel);
    if (!to || !sender) return false;
    try {
      await sender.send(to.chatId, [message], { maxWaitMs: 2000 });
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      if (err.kind === 'windowClosed') {
        // WeChat outside the 48-hour window: a template says something waits in the chat.
        await sender
          .sendNotification?.(to.chatId, { lang, ...notice })
          .catch((e: unknown) => deps.log.warn({ err: e, personId }, 'journey notice failed'));
        return true;
      }
      if (err.kind === 'blocked' || err.kind === 'rejected')
        throw new UnrecoverableError(`${to.channel}: ${err.kind}`);
      throw err;
    }
    const ids = message.choices?.map((c) => c.id) ?? [];
    if (ids.length > 0)
      await deps.redis.set(
        keys.pushed(to.channel, to.chatId),
        JSON.stringify(ids),
        'EX',
        PUSHED_TTL_S,
      );
    return true;
  }

  const worker = new Worker<JourneyJob>(
    JOURNEY_QUEUE,
    async (job, token) => {
      const parsed = journeyJobSchema.safeParse(job.data);
      if (!parsed.success) return 'skipped';
      const data = parsed.data;
      const ctx: PushDeps = {
        translator: deps.translator,
        quietHours: deps.quietHours,
        now,
        push,
        async hold(ms) {
          // Quiet hours (or a job taken before its time): back to wait, not a failed attempt.
          // (Without the job's lock it cannot be moved: a retry with backoff waits instead.)
          if (!token) throw new Error('journey job held without a lock token');
          await job.moveToDelayed(Date.now() + ms, token);
          throw new DelayedError();
        },
      };
      switch (data.kind) {
        case 'plan':
          return remindStep({ ...ctx, plans }, data);
        case 'employment':
          return askFollowup({ ...ctx, employment }, data);
      }
    },
    { connection, prefix: `${deps.prefix}bull`, concurrency: 10, maxStalledCount: STALLS_ALLOWED },
  );
  worker.on('error', throttledWarn(deps.log, 'journey worker error'));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      deps.log.error(
        { err: err.message, kind: job.data.kind, jobId: job.id },
        'journey job given up',
      );
  });
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
