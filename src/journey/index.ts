import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import { createPlanning } from './plan.index.js';
import { caseKeys } from '../handoff/keys.js';
import type { Translator } from '../i18n.js';
import type { Lang } from '../messaging/lang.js';
import { createSealer, type Sealer } from '../lib/sealed.js';
import type { Outbox } from '../webhooks/outbox.js';
import { createErasure } from './erasure.js';
import type { PersonData } from './person-data.js';
import type { JourneyTurnDeps } from './journey.turn.js';
import { createLinks } from './links.js';
import { createProfileService } from './profile.service.js';

export interface JourneyContext {
  config: Pick<Config, 'DATA_KEY' | 'RETENTION_MESSAGES_DAYS' | 'REDIS_URL'>;
  audit: Pick<AuditRepo, 'record'>;
  log: Logger;
  mongo: Connection;
  redis: Redis;
  prefix: string;
  translator: Translator;
  /** The glossary's districts (Chinese → Tibetan), for /mydata in Tibetan. */
  districts: readonly { zh: string; bo: string }[];
  outbox: Pick<Outbox, 'emit'>;
  /** Log lines and questions on their way to the database (written before an erasure). */
  flush: () => Promise<void>;
  /** Every queue a job for a person may wait in. */
  queues: () => Queue[];
  /** Where the classifier's examples changing is announced (live knowledge reloads). */
  kbChannel: string;
  /** What a channel keeps in Redis for one chat besides the session (the web chat's inbox). */
  chatKeys: (channel: string, chatId: string) => string[];
  /** Other features keeping records of a person (job alerts): erased, linked, listed with them. */
  personData?: readonly PersonData[];
}

/**
 * The person's journey (issue 12): consent and intake with sealed sensitive fields, /mydata,
 * /delete, /link, the self-assessment's result on the profile.
 */
export function createJourney(ctx: JourneyContext) {
  const sealer: Sealer | null = ctx.config.DATA_KEY ? createSealer(ctx.config.DATA_KEY) : null;
  if (!sealer)
    ctx.log.warn(
      'DATA_KEY is not set: the intake skips the sensitive questions (disability, health)',
    );
  const profiles = createProfileService(ctx.mongo, sealer);
  const keys = caseKeys(ctx.prefix);
  const sessionKey = (channel: string, chatId: string) => `${ctx.prefix}conv:${channel}:${chatId}`;
  const links = createLinks({
    mongo: ctx.mongo,
    redis: ctx.redis,
    prefix: ctx.prefix,
    sealer,
    flush: ctx.flush,
    personData: ctx.personData ?? [],
    async forgetSessions(identities) {
      if (identities.length > 0)
        await ctx.redis.del(...identities.map((i) => `${ctx.prefix}conv:${i}`));
    },
  });
  // The action plan and the employment record, with the `journey` queue of their reminders.
  const planning = createPlanning({
    config: ctx.config,
    log: ctx.log,
    mongo: ctx.mongo,
    redis: ctx.redis,
    prefix: ctx.prefix,
    audit: ctx.audit,
  });
  const erasure = createErasure({
    mongo: ctx.mongo,
    redis: ctx.redis,
    prefix: ctx.prefix,
    log: ctx.log,
    flush: ctx.flush,
    emit: (type, data, now) => ctx.outbox.emit(type, data, now),
    queues: () => [...ctx.queues(), planning.queue],
    personData: ctx.personData ?? [],
    personKeys: (personId) => [
      keys.open(personId),
      keys.awaiting(personId),
      keys.waiting(personId),
      `${ctx.prefix}link:of:${personId}`,
    ],
    sessionKey,
    redisKeys: (personId, identities) => [
      keys.open(personId),
      keys.awaiting(personId),
      keys.waiting(personId),
      `${ctx.prefix}link:of:${personId}`,
      ...identities.flatMap((i) => [
        sessionKey(i.channel, i.chatId),
        keys.pushed(i.channel, i.chatId),
        ...ctx.chatKeys(i.channel, i.chatId),
      ]),
    ],
    examplesChanged: async () => {
      await ctx.redis.publish(ctx.kbChannel, String(Date.now()));
    },
  });
  const turn: JourneyTurnDeps = {
    profiles,
    erasure,
    links,
    plans: planning.turn,
    translator: ctx.translator,
    personData: ctx.personData ?? [],
    mydata: {
      profiles,
      channels: (personId) => links.channels(personId),
      messageCount: (personId) =>
        ctx.mongo.collection('messages').countDocuments({ personId: objectId(personId) }),
      retentionDays: ctx.config.RETENTION_MESSAGES_DAYS,
      districtsBo: new Map(ctx.districts.map((d) => [d.zh, d.bo])),
      more: (ctx.personData ?? []).map(
        (d) => (personId: string, lang: Lang) => d.describe(personId, lang),
      ),
    },
  };
  return {
    sealer,
    profiles,
    links,
    erasure,
    planning,
    turn,
    districtsBo: turn.mydata.districtsBo,
  };
}

export type Journey = ReturnType<typeof createJourney>;

const objectId = (id: string) =>
  mongoose.Types.ObjectId.isValid(id) ? new mongoose.Types.ObjectId(id) : null;
