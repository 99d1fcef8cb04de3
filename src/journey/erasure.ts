import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { PersonData } from './person-data.js';
import { personModels } from '../people/person.model.js';
import { journeyJobIds } from './plan.jobs.js';

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

export function createErasure(deps: ErasureDeps): Erasure {
  const { Person, Identity } = personModels(deps.mongo);
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
      await removeWords(_id, identities);
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

  /** The person's words and records, their identities and their chats' Redis keys. */
  async function removeWords(
    _id: mongoose.Types.ObjectId,
    identities: { channel: string; chatId: string }[],
  ): Promise<number> {
    const personId = _id.toHexString();
    let removed = (await col('questions').deleteMany({ personId: _id })).deletedCount;
    removed += (await col('messages').deleteMany({ personId: _id })).deletedCount;
    for (const data of deps.personData) await data.erase(personId);
    removed += (await Identity.deleteMany({ personId: _id })).deletedCount;
    removed += (await Person.deleteOne({ _id })).deletedCount;
    const keys = deps.redisKeys(personId, identities);
    if (keys.length > 0) await deps.redis.del(...keys);
    return removed;
  }

  async function sweep(
    _id: mongoose.Types.ObjectId,
    identities: { channel: string; chatId: string }[],
  ) {
    try {
      await deps.flush();
      const removed = await removeWords(_id, identities);
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
