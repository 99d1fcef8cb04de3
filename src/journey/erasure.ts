import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { PersonData } from './person-data.js';
import { personModels } from '../people/person.model.js';
import { journeyJobIds } from './plan.jobs.js';
import { redisScript } from '../lib/redis-script.js';

/**
 * `/delete` (PIPL): everything that holds the person's words or profile goes — the person and
 * their channel identities, the conversation log, their questions and the examples taught from
 * them, what Redis keeps for their chats, and jobs still queued for them (a counsellor's
 * follow-up, a campaign's copy). Open cases are closed; cases and campaign delivery records
 * then follow the retention rules. `person.deleted` goes to the counsellor system.
 */
export interface Erasure {
  erase(personId: string, from: { channel: string; chatId: string }, now: Date): Promise<void>;
}

export interface ErasureDeps {
  mongo: Connection;
  redis: Redis;
  prefix: string;
  log: Logger;
  /** Log lines and questions still on their way to the database are written first. */
  flush(): Promise<void>;
  emit(type: 'person.deleted', data: Record<string, unknown>, now: Date): Promise<unknown>;
  /** Every queue a job for a person may wait in (handoff, outreach, reminders). */
  queues(): Queue[];
  /** Redis keys of the person and of each of their chats (sessions, case state, inboxes). */
  redisKeys(personId: string, identities: { channel: string; chatId: string }[]): string[];
  /** The person's own Redis keys (case state, link code): swept again after the erasure. */
  personKeys(personId: string): string[];
  /** A chat's conversation state (its session). */
  sessionKey(channel: string, chatId: string): string;
  /** The classifier's examples changed (so every process reloads without the removed ones). */
  examplesChanged(): Promise<void>;
  /** Other features' records of the person (job-alert subscriptions). */
  personData: readonly Pick<PersonData, 'erase'>[];
  /**
   * When to sweep again after an erasure (ms): a turn already running on another chat of the
   * person (linked chats) writes its log lines and records after the first pass.
   */
  sweepAfterMs?: readonly number[];
}

/** A turn in flight ends within seconds (its lease); its log lines linger a moment more. */
const SWEEP_AFTER_MS = [2_000, 20_000, 120_000] as const;

/** Deletes a session that still names the erased person (ARGV[1]: its `"personId":"…"`). */
const STALE_SESSION = `local v = redis.call('get', KEYS[1]) if v and string.find(v, ARGV[1], 1, true) then return redis.call('del', KEYS[1]) end return 0`;

export function createErasure(deps: ErasureDeps): Erasure {
  const { Person, Identity } = personModels(deps.mongo);
  const staleSession = redisScript(deps.redis, STALE_SESSION, 1);
  const col = (name: string) => deps.mongo.collection(name);

  return {
    async erase(personId, from, now) {
      if (!mongoose.Types.ObjectId.isValid(personId)) return;
      const _id = new mongoose.Types.ObjectId(personId);
      await deps.flush();
      const identities = (await Identity.find({ personId: _id }).lean()).map((i) => ({
        channel: i.channel,
        chatId: i._id.slice(i.channel.length + 1),
      }));
      if (!identities.some((i) => i.channel === from.channel && i.chatId === from.chatId))
        identities.push(from);

      // Jobs first: nothing queued may reach the person once they are gone.
      const cases = await col('cases')
        .find({ personId: _id }, { projection: { _id: 1, followups: 1 } })
        .toArray();
      const deliveries = await col('campaign_deliveries')
        .find({ personId: _id, status: 'pending' }, { projection: { campaignId: 1 } })
        .toArray();
      const jobIds = [
        ...cases.flatMap((c) => {
          const id = String(c._id);
          const followups = (c.followups as { id: string }[] | undefined) ?? [];
          return [`sla-${id}`, `closed-${id}`, ...followups.map((f) => `followup-${id}-${f.id}`)];
        }),
        ...deliveries.map((d) => `${String(d.campaignId)}-${personId}`),
      ];
      // The plan's reminders and the employment follow-ups wait in the `journey` queue.
      const doc = await Person.findById(_id).lean();
      if (doc) jobIds.push(...journeyJobIds(doc));
      await removeJobs(deps.queues(), jobIds, deps.log);
      if (deliveries.length > 0)
        await col('campaign_deliveries').updateMany(
          { personId: _id, status: 'pending' },
          { $set: { status: 'skipped', reason: 'deleted', updatedAt: now } },
        );
      await col('cases').updateMany(
        { personId: _id, status: { $ne: 'closed' } },
        { $set: { status: 'closed', closedAt: now, closedBy: 'person' } },
      );

      // Their words: the log, their questions, and what was taught from those questions.
      const questionIds = (
        await col('questions')
          .find({ personId: _id }, { projection: { _id: 1 } })
          .toArray()
      ).map((q) => q._id);
      const taught =
        questionIds.length > 0
          ? await col('examples').deleteMany({ questionId: { $in: questionIds } })
          : { deletedCount: 0 };
      await removeWords(_id);
      const keys = deps.redisKeys(personId, identities);
      if (keys.length > 0) await deps.redis.del(...keys);
      if (taught.deletedCount > 0) await deps.examplesChanged();
      await deps.emit('person.deleted', { personId }, now);
      deps.log.info(
        { personId, identities: identities.length, examples: taught.deletedCount },
        'person erased',
      );
      // A linked chat's turn running meanwhile still writes for the old person (its log lines,
      // a subscription): swept again once such turns have ended, so nothing is left behind.
      for (const ms of deps.sweepAfterMs ?? SWEEP_AFTER_MS)
        setTimeout(() => {
          sweep(_id, identities).catch(() => undefined);
        }, ms).unref();
    },
  };

  /** The person's words and records, and their identities. */
  async function removeWords(_id: mongoose.Types.ObjectId): Promise<number> {
    const personId = _id.toHexString();
    let removed = (await col('questions').deleteMany({ personId: _id })).deletedCount;
    removed += (await col('messages').deleteMany({ personId: _id })).deletedCount;
    for (const data of deps.personData) await data.erase(personId);
    removed += (await Identity.deleteMany({ personId: _id })).deletedCount;
    removed += (await Person.deleteOne({ _id })).deletedCount;
    return removed;
  }

  async function sweep(
    _id: mongoose.Types.ObjectId,
    identities: { channel: string; chatId: string }[],
  ) {
    try {
      await deps.flush();
      let removed = await removeWords(_id);
      const personId = _id.toHexString();
      const own = deps.personKeys(personId);
      if (own.length > 0) removed += await deps.redis.del(...own);
      // A chat's session only while it still names the erased person: the same chat may be
      // somebody new by now (its inbox and history are theirs too, and stay).
      for (const i of identities)
        removed += Number(
          await staleSession(deps.sessionKey(i.channel, i.chatId), `"personId":"${personId}"`),
        );
      if (removed > 0)
        deps.log.info({ personId: _id.toHexString(), removed }, 'erasure: late writes removed');
    } catch (err) {
      deps.log.warn({ err, personId: _id.toHexString() }, 'erasure sweep failed');
    }
  }
}

async function removeJobs(queues: Queue[], ids: string[], log: Logger): Promise<void> {
  for (const queue of queues)
    for (const id of ids)
      // A job running right now cannot be removed: it finds the person gone and does nothing.
      await queue.remove(id).catch((err: unknown) => {
        log.warn({ err, queue: queue.name, jobId: id }, 'queued job not removed');
      });
}
