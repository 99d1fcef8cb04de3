import { Schema, type Connection, type Model } from 'mongoose';

/** Every event sent to the counsellor system: the outbox (record first, then the queue job). */
export interface WebhookEventDoc {
  /** The stable `webhook-id` (`msg_…`), the same on every attempt. */
  _id: string;
  type: string;
  /** The body's `data`, as sent. */
  data: Record<string, unknown>;
  /** pending → delivered | undelivered (gave up after the retry window) | skipped (no URL set). */
  status: 'pending' | 'delivered' | 'undelivered' | 'skipped';
  attempts: number;
  /** The last failure (HTTP status or network error), no body text. */
  lastError?: string | null;
  createdAt: Date;
  deliveredAt?: Date | null;
  /** Until when the worker keeps trying. */
  retryUntil: Date;
}

const schema = new Schema<WebhookEventDoc>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    deliveredAt: { type: Date, default: null },
    retryUntil: { type: Date, required: true },
  },
  { collection: 'webhook_events', versionKey: false, minimize: false },
);
schema.index({ status: 1, createdAt: -1 });

export function webhookEventModel(conn: Connection): Model<WebhookEventDoc> {
  return (
    (conn.models.WebhookEvent as Model<WebhookEventDoc> | undefined) ??
    conn.model<WebhookEventDoc>('WebhookEvent', schema)
  );
}
