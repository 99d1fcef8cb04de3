import { Types, type Connection } from 'mongoose';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { personModels, type PersonDoc } from './person.model.js';

export interface Person {
  id: string;
  language: Lang | null;
  outreachOptOut: boolean;
  /** True when this call created the person (first contact). */
  isNew: boolean;
}

export interface PersonRepo {
  /** Finds the person behind a channel identity, creating both on first contact. */
  touch(channel: ChannelId, chatId: string, now: Date): Promise<Person>;
  setLanguage(personId: string, lang: Lang): Promise<void>;
  setOutreachOptOut(personId: string, optOut: boolean): Promise<void>;
  findById(personId: string): Promise<Person | null>;
  /**
   * Whether a channel can reach the person (false: they unfollowed; true: they followed again).
   * Nothing is created for an identity never seen.
   */
  setReachable(channel: ChannelId, chatId: string, reachable: boolean, now: Date): Promise<void>;
  /** The person's own counsellor (an account id; sticky once set, standard 7.2(3)). */
  counsellorOf(personId: string): Promise<string | null>;
  setCounsellor(personId: string, accountId: string): Promise<void>;
  /** Since when the channel cannot reach the person; null when it can (or the identity is unknown). */
  unreachableSince(channel: ChannelId, chatId: string): Promise<Date | null>;
  /**
   * The chat a message pushed to the person goes to: the first reachable one of `channels`
   * (in their order of preference) the person has; null when none.
   */
  reach(
    personId: string,
    channels: readonly ChannelId[],
  ): Promise<{ channel: ChannelId; chatId: string } | null>;
}

export function createPersonRepo(conn: Connection): PersonRepo {
  const { Person, Identity } = personModels(conn);
  const toPerson = (doc: PersonDoc, isNew: boolean): Person => ({
    id: doc._id.toHexString(),
    language: doc.language ?? null,
    outreachOptOut: doc.outreachOptOut,
    isNew,
  });

  return {
    async touch(channel, chatId, now) {
      const identityId = `${channel}:${chatId}`;
      const fresh = new Types.ObjectId();
      // Upsert keeps two first messages racing on two processes from creating two people.
      const identity = await Identity.findOneAndUpdate(
        { _id: identityId },
        { $setOnInsert: { personId: fresh, channel, createdAt: now } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      const created = identity.personId.equals(fresh);
      const person = await Person.findOneAndUpdate(
        { _id: identity.personId },
        {
          $set: { lastSeenAt: now },
          $setOnInsert: { createdAt: now, language: null, outreachOptOut: false },
        },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return toPerson(person, created);
    },
    async setLanguage(personId, lang) {
      await Person.updateOne({ _id: personId }, { $set: { language: lang } });
    },
    async setOutreachOptOut(personId, optOut) {
      await Person.updateOne({ _id: personId }, { $set: { outreachOptOut: optOut } });
    },
    async setReachable(channel, chatId, reachable, now) {
      await Identity.updateOne(
        { _id: `${channel}:${chatId}` },
        { $set: { unreachableSince: reachable ? null : now } },
      );
    },
    async unreachableSince(channel, chatId) {
      const doc = await Identity.findById(`${channel}:${chatId}`).lean();
      return doc?.unreachableSince ?? null;
    },
    async counsellorOf(personId) {
      if (!Types.ObjectId.isValid(personId)) return null;
      const doc = await Person.findById(personId).lean();
      return doc?.counsellorId ?? null;
    },
    async setCounsellor(personId, accountId) {
      await Person.updateOne({ _id: personId }, { $set: { counsellorId: accountId } });
    },
    async findById(personId) {
      if (!Types.ObjectId.isValid(personId)) return null;
      const doc = await Person.findById(personId).lean();
      return doc ? toPerson(doc, false) : null;
    },
    async reach(personId, channels) {
      if (!Types.ObjectId.isValid(personId)) return null;
      const identities = await Identity.find({ personId: new Types.ObjectId(personId) }).lean();
      const found = identities
        .filter((i) => !i.unreachableSince && channels.includes(i.channel as ChannelId))
        .map((i) => ({
          channel: i.channel as ChannelId,
          chatId: i._id.slice(i.channel.length + 1),
        }))
        .sort((a, b) => channels.indexOf(a.channel) - channels.indexOf(b.channel));
      return found[0] ?? null;
    },
  };
}
