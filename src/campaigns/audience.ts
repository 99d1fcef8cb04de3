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
   * The audience's recipients after the person `after` (by id), in pages of `size` people, on
   * the channels given; people with no reachable identity there are left out. Each page's `last`
   * is where a resumed fan-out starts (null on the last page).
   */
  pages(
    a: Audience,
    channels: readonly ChannelId[],
    after: Types.ObjectId | null,
    size: number,
  ): AsyncIterable<{ recipients: Recipient[]; last: Types.ObjectId | null }>;
  /** Whether this chat is one of ours (someone has written from it): a test goes only there. */
  knows(channel: ChannelId, address: string): Promise<boolean>;
}

/**
 * Each collection is read once per fan-out, by one cursor: the identities of the wanted channels
 * into a map (person → best chat), then the people in id order. A page-by-page read (sorted
 * `_id > after` pages, identities by a `$in` of the page's people) made FerretDB v1 scan both
 * collections for every page — quadratic in the audience.
 */
export function createAudienceReader(conn: Connection): AudienceReader {
  const { Person, Identity } = personModels(conn);

  async function bestChats(channels: readonly ChannelId[]) {
    const best = new Map<string, { channel: ChannelId; address: string; rank: number }>();
    const cursor = Identity.find(
      { channel: { $in: channels } },
      { _id: 1, personId: 1, channel: 1, unreachableSince: 1 },
    )
      .lean()
      .cursor({ batchSize: 5000 });
    for await (const id of cursor) {
      if (id.unreachableSince || !id.personId) continue;
      const channel = id.channel as ChannelId;
      const rank = CHANNEL_PREFERENCE.indexOf(channel);
      const key = id.personId.toHexString();
      const seen = best.get(key);
      if (!seen || rank < seen.rank)
        best.set(key, { channel, address: id._id.slice(channel.length + 1), rank });
    }
    return best;
  }

  return {
    count: (a) => Person.countDocuments(personFilter(a)),
    knows: async (channel, address) =>
      (await Identity.exists({ _id: `${channel}:${address}` })) !== null,
    async *pages(audience, channels, after, size) {
      const a: Audience = audience ?? {};
      const wanted = a.channels?.length
        ? channels.filter((c) => a.channels?.includes(c))
        : channels;
      const best = await bestChats(wanted);
      const filter = personFilter(a);
      if (after) filter._id = { $gt: after };
      const cursor = Person.find(filter, { _id: 1, language: 1 })
        .sort({ _id: 1 })
        .lean()
        .cursor({ batchSize: size });
      let recipients: Recipient[] = [];
      let seen = 0;
      let last: Types.ObjectId | null = null;
      for await (const p of cursor) {
        // A full page goes out once another person follows it (the last page says it is last).
        if (seen === size) {
          yield { recipients, last };
          recipients = [];
          seen = 0;
        }
        seen++;
        last = p._id;
        const to = best.get(p._id.toHexString());
        if (to)
          recipients.push({
            personId: p._id,
            channel: to.channel,
            address: to.address,
            lang: p.language ?? null,
          });
      }
      yield { recipients, last: null };
    },
  };
}

export const isObjectId = (s: string) => Types.ObjectId.isValid(s) && /^[0-9a-f]{24}$/i.test(s);
