import { Types, type Connection } from 'mongoose';
import type { Lang } from '../messaging/lang.js';
import type { Example } from '../knowledge/classifier.js';
import { exampleModel } from './example.model.js';

export interface TaughtExample {
  id: string;
  lang: Lang;
  text: string;
  topic: string;
  questionId: string | null;
  createdAt: string;
}

export interface ExampleRepo {
  /** Saves an example; 'duplicate' when the same text is already one. */
  add(e: {
    lang: Lang;
    text: string;
    topic: string;
    questionId?: string;
    at: Date;
  }): Promise<TaughtExample | 'duplicate'>;
  remove(id: string): Promise<boolean>;
  list(opts: {
    limit: number;
    cursor?: string;
  }): Promise<{ items: TaughtExample[]; nextCursor: string | null }>;
  /** Every taught example, oldest first, and a key that changes whenever the set does. */
  all(): Promise<{ examples: Example[]; key: string }>;
}

export function createExampleRepo(conn: Connection): ExampleRepo {
  const Ex = exampleModel(conn);
  const view = (d: {
    _id: Types.ObjectId;
    lang: Lang;
    text: string;
    topic: string;
    questionId: Types.ObjectId | null;
    createdAt: Date;
  }): TaughtExample => ({
    id: d._id.toHexString(),
    lang: d.lang,
    text: d.text,
    topic: d.topic,
    questionId: d.questionId?.toHexString() ?? null,
    createdAt: d.createdAt.toISOString(),
  });
  return {
    async add({ lang, text, topic, questionId, at }) {
      if (await Ex.exists({ text })) return 'duplicate';
      try {
        const doc = await Ex.create({
          lang,
          text,
          topic,
          questionId:
            questionId && Types.ObjectId.isValid(questionId)
              ? new Types.ObjectId(questionId)
              : null,
          createdAt: at,
        });
        return view(doc.toObject());
      } catch (err) {
        // two administrators saving the same text at once: the unique index decides
        if ((err as { code?: number }).code === 11000) return 'duplicate';
        throw err;
      }
    },
    async remove(id) {
      if (!Types.ObjectId.isValid(id)) return false;
      return (await Ex.deleteOne({ _id: new Types.ObjectId(id) })).deletedCount === 1;
    },
    async list({ limit, cursor }) {
      const filter =
        cursor && Types.ObjectId.isValid(cursor)
          ? { _id: { $lt: new Types.ObjectId(cursor) } }
          : {};
      const docs = await Ex.find(filter)
        .sort({ _id: -1 })
        .limit(limit + 1)
        .lean();
      const items = docs.slice(0, limit).map(view);
      return { items, nextCursor: docs.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
    async all() {
      const docs = await Ex.find({}, { text: 1, topic: 1 }).sort({ _id: 1 }).lean();
      return {
        examples: docs.map((d) => ({ text: d.text, topic: d.topic })),
        key: docs.map((d) => d._id.toHexString()).join(','),
      };
    },
  };
}
