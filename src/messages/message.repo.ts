import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import type { ChannelId } from '../channels/channel.js';
import { messageModel } from './message.model.js';
import { lhasaMonth } from '../lib/lhasa-time.js';

export interface LogEntry {
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  at: Date;
}

export interface MessageRepo {
  append(personId: string, channel: ChannelId, entries: LogEntry[]): Promise<void>;
  transcript(personId: string, limit?: number): Promise<(LogEntry & { channel: string })[]>;
  /** Deletes entries older than `before`; returns how many went. */
  deleteOlderThan(before: Date): Promise<number>;
}


export function createMessageRepo(conn: Connection): MessageRepo {
  const Message = messageModel(conn);
  const commit = groupCommit((docs: object[]) => Message.insertMany(docs, { ordered: true }).then(() => undefined));
  return {
    async append(personId, channel, entries) {
      const docs = entries
        .filter((e) => e.text.length > 0)
        .map((e) => ({
          personId: new Types.ObjectId(personId),
          channel,
          from: e.from,
          // The database never sees NUL (FerretDB rejects it; inputs are normalised already).
          text: e.text.replaceAll('\u0000', ''),
          at: e.at,
          month: lhasaMonth(e.at),
        }));
      if (docs.length > 0) await commit(docs);
    },
    async transcript(personId, limit = 200) {
      const docs = await Message.find({ personId: new Types.ObjectId(personId) })
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .lean();
      return docs
        .reverse()
        .map((d) => ({ from: d.from, text: d.text, at: d.at, channel: d.channel }));
    },
    async deleteOlderThan(before) {
      const res = await Message.deleteMany({ at: { $lt: before } });
      return res.deletedCount;
    },
  };
}

/**
 * Group commit: writes arriving while an insert is in flight go together in the next one, and
 * each caller still waits until its own entries are stored. Under load this turns many small
 * inserts (FerretDB on SQLite serialises writes) into a few large ones, with no window in
 * which an answered turn is missing from the log.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>, maxBatch = 500) {
  const queue: { items: T[]; done: (err?: unknown) => void }[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      const batch: typeof queue = [];
      let size = 0;
      while (queue.length > 0 && (batch.length === 0 || size + (queue[0]?.items.length ?? 0) <= maxBatch)) {
        const next = queue.shift()!;
        batch.push(next);
        size += next.items.length;
      }
      try {
        await write(batch.flatMap((b) => b.items));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    running = false;
  }

  return (items: T[]) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ items, done: (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()) });
      if (!running) void drain();
    });
}
