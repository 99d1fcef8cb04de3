import { Types, type Connection } from 'mongoose';
import {
  subscriptionModel,
  type AlertMode,
  type SubscriptionDoc,
  type SubscriptionSource,
} from './subscription.model.js';
import { districtOf, isCategory, keywordsOf, termsOf } from './terms.js';

/** More than this and `add` answers 'limit' (a person, or a script, repeating /subscribe). */
export const MAX_SUBSCRIPTIONS_PER_PERSON = 20;

export interface Subscription {
  id: string;
  personId: string;
  keywords: string[];
  terms: string[];
  district: string | null;
  category: string | null;
  mode: AlertMode;
  source: SubscriptionSource;
  createdAt: Date;
}

export interface NewSubscription {
  personId: string;
  /** Keywords as typed; cleaned and split again here (terms.ts `keywordsOf`). */
  keywords: readonly string[];
  /** A glossary district in Chinese or Tibetan (stored in Chinese). */
  district?: string | null;
  category?: string | null;
  mode?: AlertMode;
  source: SubscriptionSource;
  at: Date;
}

export type AddResult =
  | { ok: true; subscription: Subscription }
  | {
      ok: false;
      /**
       * `empty`: no keyword, district or category; `no-terms`: keywords naming nothing
       * (工作, emoji); `district` / `category` / `person`: not a valid one; `limit`: too many.
       */
      reason: 'empty' | 'no-terms' | 'district' | 'category' | 'person' | 'limit';
    };

/**
 * Subscriptions in MongoDB, the source of truth; the match index (match.ts) is built from them.
 * Callers update the index after each change here (`matcher.add` after `add`, …).
 */
export interface SubscriptionRepo {
  /** Each call adds one subscription (DESIGN.md `/subscribe`). */
  add(input: NewSubscription): Promise<AddResult>;
  /** A person's subscriptions, oldest first. */
  list(personId: string): Promise<Subscription[]>;
  /** Removes one of the person's own subscriptions; null when there is no such one. */
  remove(personId: string, id: string): Promise<Subscription | null>;
  /** Removes all of a person's subscriptions; returns what was removed. */
  removeAll(personId: string): Promise<Subscription[]>;
  /** Gives `from`'s subscriptions to `to` (/link); returns them as they were before. */
  moveTo(from: string, to: string): Promise<Subscription[]>;
  /** Sets the mode of all of a person's subscriptions; returns those changed, as they were. */
  setMode(personId: string, mode: AlertMode): Promise<Subscription[]>;
  /** A person's subscriptions, or everyone's when no person is named. */
  count(personId?: string): Promise<number>;
  /** Every subscription, in no particular order (for rebuilding the index). */
  scan(): AsyncIterable<Subscription>;
}

export function createSubscriptionRepo(conn: Connection): SubscriptionRepo {
  const Sub = subscriptionModel(conn);
  const oid = (id: string) => (Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null);

  return {
    async add(input) {
      const personId = oid(input.personId);
      if (!personId) return { ok: false, reason: 'person' };
      const keywords = keywordsOf(input.keywords.join(' '));
      const terms = termsOf(keywords);
      const district = input.district ? districtOf(input.district) : null;
      if (input.district && !district) return { ok: false, reason: 'district' };
      const category = input.category ?? null;
      if (category !== null && !isCategory(category)) return { ok: false, reason: 'category' };
      if (keywords.length === 0 && !district && !category) return { ok: false, reason: 'empty' };
      if (keywords.length > 0 && terms.length === 0) return { ok: false, reason: 'no-terms' };
      // Soft limit: two adds racing may pass it by one, which is harmless.
      if ((await Sub.countDocuments({ personId })) >= MAX_SUBSCRIPTIONS_PER_PERSON)
        return { ok: false, reason: 'limit' };
      const doc = await Sub.create({
        personId,
        keywords,
        terms,
        district,
        category,
        mode: input.mode ?? 'instant',
        source: input.source,
        createdAt: input.at,
      });
      return { ok: true, subscription: view(doc.toObject()) };
    },
    async list(personId) {
      const p = oid(personId);
      if (!p) return [];
      return (await Sub.find({ personId: p }).sort({ _id: 1 }).lean()).map(view);
    },
    async remove(personId, id) {
      const p = oid(personId);
      const s = oid(id);
      if (!p || !s) return null;
      const doc = await Sub.findOneAndDelete({ _id: s, personId: p }).lean();
      return doc ? view(doc) : null;
    },
    async removeAll(personId) {
      const p = oid(personId);
      if (!p) return [];
      const docs = await Sub.find({ personId: p }).lean();
      // Exactly those read: one added meanwhile stays, and stays in the index too.
      if (docs.length > 0) await Sub.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      return docs.map(view);
    },
    async moveTo(from, to) {
      const f = oid(from);
      const t = oid(to);
      if (!f || !t || f.equals(t)) return [];
      const docs = await Sub.find({ personId: f }).lean();
      if (docs.length > 0)
        await Sub.updateMany({ _id: { $in: docs.map((d) => d._id) } }, { $set: { personId: t } });
      return docs.map(view);
    },
    async setMode(personId, mode) {
      const p = oid(personId);
      if (!p) return [];
      const docs = await Sub.find({ personId: p, mode: { $ne: mode } }).lean();
      if (docs.length > 0)
        await Sub.updateMany({ _id: { $in: docs.map((d) => d._id) } }, { $set: { mode } });
      return docs.map(view);
    },
    async count(personId) {
      if (personId === undefined) return Sub.countDocuments({});
      const p = oid(personId);
      return p ? Sub.countDocuments({ personId: p }) : 0;
    },
    async *scan() {
      for await (const doc of Sub.find({}).lean().cursor({ batchSize: 1000 })) yield view(doc);
    },
  };
}

function view(d: SubscriptionDoc): Subscription {
  return {
    id: d._id.toHexString(),
    personId: d.personId.toHexString(),
    keywords: d.keywords,
    terms: d.terms,
    district: d.district ?? null,
    category: d.category ?? null,
    mode: d.mode,
    source: d.source,
    createdAt: d.createdAt,
  };
}
