import { Types, type Connection } from 'mongoose';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { Recipient } from './audience.js';
import {
  campaignModels,
  type Audience,
  type CampaignDoc,
  type DeliveryDoc,
  type DeliveryStatus,
  type StoredStatus,
  deliveryId,
} from './campaign.model.js';

export interface NewCampaign {
  title: string;
  message: Record<Lang, string>;
  audience: Audience;
  sendAt: Date;
  status: StoredStatus;
  createdBy: string;
  createdAt: Date;
  estimate: number;
}

export type DeliveryCounts = Record<DeliveryStatus, number>;

/**
 * A campaign's counts are an aggregate over its delivery records: quick on MongoDB (the
 * (campaignId, status) index), a scan of every record on FerretDB v1 (seconds at 100,000). A
 * count that took t is not repeated within this many times t (the watch job, the stats API).
 */
export const COUNT_COST_FACTOR = 10;

/** A claimed delivery: what the send needs, and whether an earlier attempt may have sent it. */
export interface Claimed {
  channel: ChannelId;
  address: string;
  lang: Lang | null;
  /** The record was `sending` already: a process died mid-send (the message may have gone). */
  resumed: boolean;
}

export interface CampaignRepo {
  create(c: NewCampaign): Promise<CampaignDoc>;
  get(id: string): Promise<CampaignDoc | null>;
  /** Newest first; `cursor` is the last id of the previous page. */
  list(limit: number, cursor?: string): Promise<CampaignDoc[]>;
  /** Campaigns waiting to start (the worker makes sure each has its job). */
  scheduled(limit: number): Promise<CampaignDoc[]>;
  /** Moves `from` → `to` (with extra fields); false when the campaign was not in `from`. */
  transition(
    id: string,
    from: readonly StoredStatus[],
    to: StoredStatus,
    set?: Partial<CampaignDoc>,
  ): Promise<CampaignDoc | null>;
  saveFanout(id: string, after: Types.ObjectId | null, done: boolean): Promise<void>;
  /** Writes the page's delivery records (`pending`); records that exist already stay as they are. */
  addDeliveries(campaignId: string, recipients: Recipient[], now: Date): Promise<void>;
  counts(campaignId: string): Promise<DeliveryCounts>;
  /** `pending` → `sending` (or `sending` again after a crash); null when nothing is left to send. */
  claim(campaignId: string, personId: string, now: Date): Promise<Claimed | null>;
  /** Back to `pending` (rate limit, quiet hours): the send was not made. */
  release(campaignId: string, personId: string, now: Date): Promise<void>;
  finish(
    campaignId: string,
    personId: string,
    status: 'sent' | 'failed' | 'skipped',
    now: Date,
    extra?: { reason?: string; via?: string },
  ): Promise<void>;
  /** Records of the campaign not yet sent or given up (for re-enqueueing lost jobs). */
  unfinished(campaignId: string, after: string | null, limit: number): Promise<DeliveryDoc[]>;
  /** Cancel: every record not yet claimed becomes `cancelled`. */
  cancelPending(campaignId: string, now: Date): Promise<number>;
}

const oid = (id: string) => new Types.ObjectId(id);
const valid = (id: string) => /^[0-9a-f]{24}$/i.test(id);

export function createCampaignRepo(conn: Connection): CampaignRepo {
  const { Campaign, Delivery } = campaignModels(conn);
  return {
    async create(c) {
      const doc = await Campaign.create({ ...c, fanoutDone: false });
      return doc.toObject();
    },
    async get(id) {
      return valid(id) ? Campaign.findById(id).lean() : null;
    },
    async list(limit, cursor) {
      const filter = cursor && valid(cursor) ? { _id: { $lt: oid(cursor) } } : {};
      return Campaign.find(filter).sort({ _id: -1 }).limit(limit).lean();
    },
    async scheduled(limit) {
      return Campaign.find({ status: 'scheduled' }).limit(limit).lean();
    },
    async transition(id, from, to, set = {}) {
      if (!valid(id)) return null;
      return Campaign.findOneAndUpdate(
        { _id: oid(id), status: { $in: from } },
        { $set: { ...set, status: to } },
        { returnDocument: 'after' },
      ).lean();
    },
    async saveFanout(id, after, done) {
      await Campaign.updateOne(
        { _id: oid(id) },
        { $set: { fanoutAfter: after, fanoutDone: done } },
      );
    },
    async addDeliveries(campaignId, recipients, now) {
      if (recipients.length === 0) return;
      const cid = oid(campaignId);
      try {
        await Delivery.insertMany(
          recipients.map((r) => ({
            _id: deliveryId(campaignId, r.personId.toHexString()),
            campaignId: cid,
            personId: r.personId,
            channel: r.channel,
            address: r.address,
            lang: r.lang,
            status: 'pending',
            attempts: 0,
            updatedAt: now,
          })),
          // lean: the records are complete as written (no casting or defaults per record).
          { ordered: false, lean: true },
        );
      } catch (err) {
        // A fan-out resumed after a crash meets the records it wrote before: those stay.
        if (!isOnlyDuplicates(err)) throw err;
      }
    },
    async counts(campaignId) {
      const counts: DeliveryCounts = {
        pending: 0,
        sending: 0,
        sent: 0,
        failed: 0,
        skipped: 0,
        cancelled: 0,
      };
      if (!valid(campaignId)) return counts;
      const rows = await Delivery.aggregate<{ _id: DeliveryStatus; n: number }>([
        { $match: { campaignId: oid(campaignId) } },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ]);
      for (const r of rows) counts[r._id] = r.n;
      return counts;
    },
    async claim(campaignId, personId, now) {
      // By _id: the primary key on MongoDB (a filter by campaign and person went through the
      // campaign's whole (campaignId, status) index range on every send).
      const before = await Delivery.findOneAndUpdate(
        { _id: deliveryId(campaignId, personId), status: { $in: ['pending', 'sending'] } },
        { $set: { status: 'sending', updatedAt: now }, $inc: { attempts: 1 } },
        { returnDocument: 'before' },
      ).lean();
      if (!before) return null;
      return {
        channel: before.channel,
        address: before.address,
        lang: before.lang ?? null,
        resumed: before.status === 'sending',
      };
    },
    async release(campaignId, personId, now) {
      await Delivery.updateOne(
        { _id: deliveryId(campaignId, personId), status: 'sending' },
        { $set: { status: 'pending', updatedAt: now } },
      );
    },
    async finish(campaignId, personId, status, now, extra = {}) {
      await Delivery.updateOne(
        { _id: deliveryId(campaignId, personId) },
        {
          $set: {
            status,
            updatedAt: now,
            ...(status === 'sent' ? { sentAt: now } : {}),
            ...(extra.reason ? { reason: extra.reason } : {}),
            ...(extra.via ? { via: extra.via } : {}),
          },
        },
      );
    },
    async unfinished(campaignId, after, limit) {
      const filter: Record<string, unknown> = {
        campaignId: oid(campaignId),
        status: { $in: ['pending', 'sending'] },
      };
      if (after) filter._id = { $gt: after };
      return Delivery.find(filter).sort({ _id: 1 }).limit(limit).lean();
    },
    async cancelPending(campaignId, now) {
      const res = await Delivery.updateMany(
        { campaignId: oid(campaignId), status: 'pending' },
        { $set: { status: 'cancelled', updatedAt: now } },
      );
      return res.modifiedCount;
    },
  };
}

/** insertMany with ordered:false failed only on the unique index (code 11000)? */
function isOnlyDuplicates(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0)
    return e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
  return e.code === 11000;
}
