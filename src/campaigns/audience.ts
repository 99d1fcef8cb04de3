import { Types, type Connection } from 'mongoose';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { personModels } from '../people/person.model.js';
import type { Audience } from './campaign.model.js';

/** One person a campaign goes to, on one channel. */
export interface Recipient {
  personId: Types.ObjectId;
  channel: ChannelId;
  address: string;
  lang: Lang | null;
}

/**
 * When a person is reachable on several channels, outreach goes to one: WeChat first (where
 * most people live), then Telegram, then the web chat's inbox.
 */
export const CHANNEL_PREFERENCE: readonly ChannelId[] = ['wechat', 'telegram', 'web'];

/** The people an audience selects (opted-out people never). */
export function personFilter(a: Audience = {}): Record<string, unknown> {
  const filter: Record<string, unknown> = { outreachOptOut: { $ne: true } };
  if (a.languages?.length) filter.language = { $in: a.languages };
  if (a.districts?.length) filter.district = { $in: a.districts };
  if (a.categories?.length) filter.categories = { $in: a.categories };
  if (a.tags?.length) filter.tags = { $in: a.tags };
  return filter;
}

export interface AudienceReader {
  /** How many people the audience selects now (before channels are looked at). */
  count(a: Audience): Promise<number>;
  /**
   * One page of recipients after the person `after` (by id), on the channels given; people with
   * no reachable identity there are left out. `last` is where the next page starts (null: done).
   */
  page(
    a: Audience,
    channels: readonly ChannelId[],
    after: Types.ObjectId | null,
    size: number,
  ): Promise<{ recipients: Recipient[]; last: Types.ObjectId | null }>;
}

export function createAudienceReader(conn: Connection): AudienceReader {
  const { Person, Identity } = personModels(conn);
  return {
    count: (a) => Person.countDocuments(personFilter(a)),
    async page(audience, channels, after, size) {
      const a: Audience = audience ?? {};
      const filter = personFilter(a);
      if (after) filter._id = { $gt: after };
      const people = await Person.find(filter, { _id: 1, language: 1 })
        .sort({ _id: 1 })
        .limit(size)
        .lean();
      if (people.length === 0) return { recipients: [], last: null };
      const wanted = a.channels?.length
        ? channels.filter((c) => a.channels?.includes(c))
        : channels;
      const identities = await Identity.find(
        { personId: { $in: people.map((p) => p._id) }, channel: { $in: wanted } },
        { _id: 1, personId: 1, channel: 1, unreachableSince: 1 },
      ).lean();
      const best = new Map<string, { channel: ChannelId; address: string; rank: number }>();
      for (const id of identities) {
        if (id.unreachableSince) continue;
        const channel = id.channel as ChannelId;
        const rank = CHANNEL_PREFERENCE.indexOf(channel);
        const key = id.personId.toHexString();
        const seen = best.get(key);
        if (!seen || rank < seen.rank)
          best.set(key, { channel, address: id._id.slice(channel.length + 1), rank });
      }
      const recipients: Recipient[] = [];
      for (const p of people) {
        const to = best.get(p._id.toHexString());
        if (to)
          recipients.push({
            personId: p._id,
            channel: to.channel,
            address: to.address,
            lang: p.language ?? null,
          });
      }
      const last = people.length < size ? null : (people.at(-1)?._id ?? null);
      return { recipients, last };
    },
  };
}

export const isObjectId = (s: string) => Types.ObjectId.isValid(s) && /^[0-9a-f]{24}$/i.test(s);
