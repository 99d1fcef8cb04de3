import type { Connection } from 'mongoose';
import { cardSchema, type PolicyCard } from '../knowledge/card.schema.js';
import { cardModel, type CardDoc } from './card.model.js';

export interface StoredCard {
  card: PolicyCard;
  /**
   * Why the stored card is not used (it no longer passes the card schema, e.g. a field longer
   * than today's limit): it is skipped when the index is built, reported here and in the log.
   */
  invalid?: string;
  origin: CardDoc['origin'];
  retired: boolean;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface CardRepo {
  /**
   * Loads shipped cards: new ones are added, file-origin ones updated, file-origin ones no
   * longer shipped are retired; administrators' edits are kept.
   */
  syncFromFiles(
    cards: PolicyCard[],
    now: Date,
  ): Promise<{ added: number; updated: number; retired: number }>;
  list(opts?: { includeRetired?: boolean }): Promise<StoredCard[]>;
  get(id: string): Promise<StoredCard | null>;
  /** Saves an administrator's edit (optimistic: `expectedVersion` must match when given). */
  save(
    card: PolicyCard,
    by: string,
    now: Date,
    expectedVersion?: number,
  ): Promise<StoredCard | 'conflict'>;
  setRetired(id: string, retired: boolean, by: string, now: Date): Promise<StoredCard | null>;
  /** The cards retrieval should use: not retired, and still valid against the schema. */
  /** Cards in use; a stored card that fails today's schema is skipped and told to `onInvalid`. */
  activeCards(onInvalid?: (id: string, problem: string) => void): Promise<PolicyCard[]>;
}

export function createCardRepo(conn: Connection): CardRepo {
  const Card = cardModel(conn);
  const toStored = (d: CardDoc): StoredCard => ({
    card: d.card,
    ...invalidity(d),
    origin: d.origin,
    retired: d.retired,
    version: d.version,
    updatedAt: d.updatedAt.toISOString(),
    updatedBy: d.updatedBy,
  });

  return {
    async syncFromFiles(cards, now) {
      const existing = new Map((await Card.find({}).lean()).map((d) => [d._id, d]));
      let added = 0;
      let updated = 0;
      for (const card of cards) {
        const have = existing.get(card.id);
        if (!have) {
          // Another process starting at the same time may win the insert; that is fine.
          const created = await Card.create({
            _id: card.id,
            card,
            origin: 'file',
            retired: false,
            version: 1,
            updatedAt: now,
            updatedBy: 'file',
          }).then(
            () => true,
            (err: unknown) => {
              if ((err as { code?: number }).code === 11000) return false;
              throw err;
            },
          );
          if (created) added++;
        } else if (have.origin === 'file' && JSON.stringify(have.card) !== JSON.stringify(card)) {
          await Card.updateOne(
            { _id: card.id, origin: 'file' },
            { $set: { card, updatedAt: now }, $inc: { version: 1 } },
          );
          updated++;
        }
      }
      const shipped = new Set(cards.map((c) => c.id));
      const gone = [...existing.values()].filter(
        (d) => d.origin === 'file' && !d.retired && !shipped.has(d._id),
      );
      for (const d of gone) {
        await Card.updateOne(
          { _id: d._id, origin: 'file' },
          { $set: { retired: true, updatedAt: now, updatedBy: 'file' }, $inc: { version: 1 } },
        );
      }
      return { added, updated, retired: gone.length };
    },
    async list(opts = {}) {
      const docs = await Card.find(opts.includeRetired ? {} : { retired: false })
        .sort({ _id: 1 })
        .lean();
      return docs.map(toStored);
    },
    async get(id) {
      const doc = await Card.findById(id).lean();
      return doc ? toStored(doc) : null;
    },
    async save(card, by, now, expectedVersion) {
      const have = await Card.findById(card.id).lean();
      if (expectedVersion !== undefined && (have?.version ?? 0) !== expectedVersion)
        return 'conflict';
      if (!have) {
        // Two creates at once: the unique _id decides, and the loser hears 'conflict' (409).
        try {
          await Card.create({
            _id: card.id,
            card,
            origin: 'admin',
            retired: false,
            version: 1,
            updatedAt: now,
            updatedBy: by,
          });
        } catch (err) {
          if (isDuplicateKey(err)) return 'conflict';
          throw err;
        }
      } else {
        // A compare-and-set on MongoDB; on FerretDB v1 (no isolation: six parallel saves of
        // version 1 all "succeeded" with updateOne and with this) only under the caller's card
        // lock (card.routes.ts). It returns the saved card without a second read.
        const saved = await Card.findOneAndUpdate(
          { _id: card.id, version: have.version },
          { $set: { card, origin: 'admin', updatedAt: now, updatedBy: by }, $inc: { version: 1 } },
          { returnDocument: 'after' },
        ).lean();
        return saved ? toStored(saved) : 'conflict';
      }
      const saved = await Card.findById(card.id).lean();
      return saved ? toStored(saved) : 'conflict';
    },
    async setRetired(id, retired, by, now) {
      const res = await Card.updateOne(
        { _id: id },
        { $set: { retired, updatedAt: now, updatedBy: by }, $inc: { version: 1 } },
      );
      if (res.matchedCount === 0) return null;
      const doc = await Card.findById(id).lean();
      return doc ? toStored(doc) : null;
    },
    async activeCards(onInvalid) {
      const docs = await Card.find({ retired: false }).sort({ _id: 1 }).lean();
      return docs.flatMap((d) => {
        const parsed = cardSchema.safeParse(d.card);
        if (parsed.success) return [parsed.data];
        onInvalid?.(d._id, problemOf(parsed.error));
        return [];
      });
    },
  };
}

function problemOf(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.')}: ${i.message}`)
    .join('; ');
}

function invalidity(d: CardDoc): { invalid?: string } {
  const parsed = cardSchema.safeParse(d.card);
  return parsed.success ? {} : { invalid: problemOf(parsed.error) };
}

/** MongoDB's E11000 (FerretDB answers the same code). */
function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 11000;
}
