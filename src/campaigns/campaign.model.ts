import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';

/** Who a campaign is for; an empty audience is everyone reachable who has not opted out. */
export interface Audience {
  languages?: Lang[];
  channels?: ChannelId[];
  districts?: string[];
  categories?: string[];
  tags?: string[];
}

/**
 * Stored statuses. `paused` (quiet hours) is not stored: it is a `sending` campaign seen while
 * quiet hours hold the queues, so it can never be left behind by a crash.
 */
export type StoredStatus = 'pending_approval' | 'scheduled' | 'sending' | 'completed' | 'cancelled';

export interface CampaignDoc {
  _id: Types.ObjectId;
  title: string;
  message: Record<Lang, string>;
  audience: Audience;
  sendAt: Date;
  status: StoredStatus;
  createdBy: string;
  createdAt: Date;
  /** Recipients counted when the campaign was written (decides whether approval is needed). */
  estimate: number;
  approvedBy?: string | null;
  approvedAt?: Date | null;
  cancelledBy?: string | null;
  cancelledAt?: Date | null;
  startedAt?: Date | null;
  completedAt?: Date | null;
  /** Fan-out progress: the last person paged (a restarted fan-out goes on after it). */
  fanoutAfter?: Types.ObjectId | null;
  fanoutDone: boolean;
  /** Fixed when the fan-out ends: how many delivery records it made. */
  recipients?: number | null;
}

/** The delivery record's _id: one per (campaign, person). */
export const deliveryId = (campaignId: string, personId: string) => `${campaignId}:${personId}`;

/**
 * One person's copy of one campaign. Its _id (campaign, person) is the once-only guard: a send claims its record (`pending` → `sending`) before the channel is called and
 * marks it `sent` after, so only a crash between the channel accepting the message and that
 * write can send it twice (the retry finds `sending` and counts a possible duplicate).
 */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' | 'cancelled';

export interface DeliveryDoc {
  /** `<campaignId>:<personId>` — the once-only key itself (see `deliveryId`). */
  _id: string;
  campaignId: Types.ObjectId;
  personId: Types.ObjectId;
  channel: ChannelId;
  /** The channel's id of the person (chat id, OpenID); never sent to a queue. */
  address: string;
  /** The person's language; null: both languages go. */
  lang: Lang | null;
  status: DeliveryStatus;
  attempts: number;
  updatedAt: Date;
  sentAt?: Date | null;
  /** Why skipped or failed: `opted-out`, `blocked`, `window-closed`, `rejected`, `retries`… */
  reason?: string | null;
  /** `template` when WeChat's fixed-field template went instead of the text. */
  via?: string | null;
}

const audienceSchema = new Schema<Audience>(
  {
    languages: { type: [String], default: undefined },
    channels: { type: [String], default: undefined },
    districts: { type: [String], default: undefined },
    categories: { type: [String], default: undefined },
    tags: { type: [String], default: undefined },
  },
  { _id: false },
);

const campaignSchema = new Schema<CampaignDoc>(
  {
    title: { type: String, required: true },
    message: { type: { 'zh-CN': String, bo: String }, required: true, _id: false },
    audience: { type: audienceSchema, default: () => ({}) },
    sendAt: { type: Date, required: true },
    status: { type: String, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    estimate: { type: Number, required: true },
    approvedBy: { type: String, default: null },
    approvedAt: { type: Date, default: null },
    cancelledBy: { type: String, default: null },
    cancelledAt: { type: Date, default: null },
    startedAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
    fanoutAfter: { type: Schema.Types.ObjectId, default: null },
    fanoutDone: { type: Boolean, default: false },
    recipients: { type: Number, default: null },
  },
  // minimize: false keeps an empty audience `{}` (everyone) instead of dropping the field.
  { collection: 'campaigns', versionKey: false, minimize: false },
);

const deliverySchema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    campaignId: { type: Schema.Types.ObjectId, required: true },
    personId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    address: { type: String, required: true },
    lang: { type: String, default: null },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    updatedAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    reason: { type: String, default: null },
    via: { type: String, default: null },
  },
  { collection: 'campaign_deliveries', versionKey: false },
);
// The once-only guard is the _id, (campaign, person): a send claims and records its copy by
// _id, which every MongoDB-compatible server answers from its primary key (FerretDB v1 too,
// which scans for any other filter).
// Stats by status, and the sweep of records left pending.
deliverySchema.index({ campaignId: 1, status: 1 });

export function campaignModels(conn: Connection): {
  Campaign: Model<CampaignDoc>;
  Delivery: Model<DeliveryDoc>;
} {
  return {
    Campaign:
      (conn.models.Campaign as Model<CampaignDoc> | undefined) ??
      conn.model<CampaignDoc>('Campaign', campaignSchema),
    Delivery:
      (conn.models.Delivery as Model<DeliveryDoc> | undefined) ??
      conn.model<DeliveryDoc>('Delivery', deliverySchema),
  };
}
