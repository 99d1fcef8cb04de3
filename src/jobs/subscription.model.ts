import { Schema, type Connection, type Model, type Types } from 'mongoose';

export type AlertMode = 'instant' | 'digest';
export type SubscriptionSource = 'chat' | 'intake';

/**
 * A job alert subscription (issue 13): what work a person wants to hear about, and where. One
 * per `/subscribe` call or intake answer; a person may hold several (any one matching alerts).
 */
export interface SubscriptionDoc {
  _id: Types.ObjectId;
  personId: Types.ObjectId;
  /** As typed, cleaned (NFC, no control characters): at most 10, each at most 20 characters. */
  keywords: string[];
  /**
   * What the keywords were matched by when subscribing (terms.ts `termsOf`: `g:<group>`,
   * `w:<word>`). The index (match.ts) recomputes them when the vocabulary changes.
   */
  terms: string[];
  /** A glossary district (Chinese name): only postings there match. Null: anywhere. */
  district: string | null;
  /** A job category slug: only postings filed under it match. Null: any. */
  category: string | null;
  mode: AlertMode;
  source: SubscriptionSource;
  createdAt: Date;
}

const subscriptionSchema = new Schema<SubscriptionDoc>(
  {
    personId: { type: Schema.Types.ObjectId, required: true },
    keywords: { type: [String], default: [] },
    terms: { type: [String], default: [] },
    district: { type: String, default: null },
    category: { type: String, default: null },
    mode: { type: String, enum: ['instant', 'digest'], required: true },
    source: { type: String, enum: ['chat', 'intake'], required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'subscriptions', versionKey: false },
);
// A person's subscriptions: /subscriptions, /unsubscribe (one or all), /link moving them.
subscriptionSchema.index({ personId: 1, _id: 1 });

export function subscriptionModel(conn: Connection): Model<SubscriptionDoc> {
  return (
    (conn.models.Subscription as Model<SubscriptionDoc> | undefined) ??
    conn.model<SubscriptionDoc>('Subscription', subscriptionSchema)
  );
}
