import { Types, type Connection } from 'mongoose';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { onlyDuplicates } from '../lib/db-errors.js';
import { backgroundRetry, BACKGROUND_LINGER_MS, groupCommit } from '../lib/group-commit.js';
import { lhasaMonth } from '../lib/lhasa-time.js';
import { questionModel, type QuestionDoc } from './question.model.js';

export interface QuestionRecord {
  personId: string;
  channel: ChannelId;
  lang: Lang;
  text: string;
  outcome: QuestionDoc['outcome'];
  cardId?: string;
  topic?: string;
  confidence: number;
  at: Date;
}

export interface UnansweredQuestion {
  id: string;
  lang: Lang;
  text: string;
  outcome: QuestionDoc['outcome'];
  cardId: string | null;
  topic: string | null;
  confidence: number;
  helpful: boolean | null;
  channel: string;
  at: string;
}

export interface QuestionRepo {
  /**
   * Records a question and returns its id at once; the write joins a group commit in the
   * background (`stored` settles when it is in the database).
   */
  record(q: QuestionRecord): { id: string; stored: Promise<void> };
  flush(): Promise<void>;
  /** Stores the person's "helpful?" answer; only the person who asked can give it. */
  setHelpful(questionId: string, personId: string, helpful: boolean): Promise<boolean>;
  /** Takes a question off the unanswered list: an administrator taught its topic. */
  markTaught(questionId: string): Promise<boolean>;
  listUnanswered(opts: {
    limit: number;
    cursor?: string;
  }): Promise<{ items: UnansweredQuestion[]; nextCursor: string | null }>;
  deleteOlderThan(before: Date): Promise<number>;
  /** A person's questions since `since`, oldest first (a counsellor's case summary). */
  recentOf(
    personId: string,
    since: Date,
    limit?: number,
  ): Promise<{ text: string; outcome: QuestionDoc['outcome']; topic: string | null; at: Date }[]>;
}

export function createQuestionRepo(
  conn: Connection,
  opts: { onDropped?: (count: number) => void } = {},
): QuestionRepo {
  const Question = questionModel(conn);
  const commit = groupCommit(
    (docs: object[]) =>
      Question.collection.insertMany(docs, { ordered: false }).then(
        () => undefined,
        (err: unknown) => {
          if (!onlyDuplicates(err)) throw err; // a retry: those are stored already
        },
      ),
    500,
    BACKGROUND_LINGER_MS,
    backgroundRetry(opts.onDropped),
  );
  return {
    record(q) {
      const _id = new Types.ObjectId();
      const stored = commit([
        {
          _id,
          personId: new Types.ObjectId(q.personId),
          channel: q.channel,
          lang: q.lang,
          text: q.text.replaceAll('\u0000', ''),
          outcome: q.outcome,
          cardId: q.cardId ?? null,
          topic: q.topic ?? null,
          confidence: q.confidence,
          helpful: null,
          // Staff see what the assistant could not answer, and every message that signalled
          // distress (outcome 'distress'), so a person at risk is never only a log line.
          unanswered: q.outcome === 'declined' || q.outcome === 'distress',
          at: q.at,
          month: lhasaMonth(q.at),
        },
      ]);
      return { id: _id.toHexString(), stored };
    },
    flush: () => commit.flush(),
    async setHelpful(questionId, personId, helpful) {
      if (!Types.ObjectId.isValid(questionId) || !Types.ObjectId.isValid(personId)) return false;
      await commit.flush(); // the question itself may still be on its way

      const res = await Question.updateOne(
        { _id: new Types.ObjectId(questionId), personId: new Types.ObjectId(personId) },
        { $set: { helpful, unanswered: !helpful } },
      );
      return res.matchedCount === 1;
    },
    async markTaught(questionId) {
      if (!Types.ObjectId.isValid(questionId)) return false;
      await commit.flush();
      const res = await Question.updateOne(
        { _id: new Types.ObjectId(questionId) },
        { $set: { unanswered: false } },
      );
      return res.matchedCount === 1;
    },
    async listUnanswered({ limit, cursor }) {
      await commit.flush();
      const filter: Record<string, unknown> = { unanswered: true };
      if (cursor && Types.ObjectId.isValid(cursor))
        filter._id = { $lt: new Types.ObjectId(cursor) };
      const docs = await Question.find(filter)
        .sort({ _id: -1 })
        .limit(limit + 1)
        .lean();
      const items = docs.slice(0, limit).map((d) => ({
        id: d._id.toHexString(),
        lang: d.lang,
        text: d.text,
        outcome: d.outcome,
        cardId: d.cardId,
        topic: d.topic,
        confidence: d.confidence,
        helpful: d.helpful,
        channel: d.channel,
        at: d.at.toISOString(),
      }));
      return { items, nextCursor: docs.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
    async recentOf(personId, since, limit = 50) {
      if (!Types.ObjectId.isValid(personId)) return [];
      await commit.flush();
      const docs = await Question.find({
        personId: new Types.ObjectId(personId),
        at: { $gte: since },
      })
        .sort({ at: -1 })
        .limit(limit)
        .lean();
      return docs
        .reverse()
        .map((d) => ({ text: d.text, outcome: d.outcome, topic: d.topic ?? null, at: d.at }));
    },
    async deleteOlderThan(before) {
      return (await Question.deleteMany({ at: { $lt: before } })).deletedCount;
    },
  };
}
