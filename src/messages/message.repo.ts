import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import type { ChannelId } from '../channels/channel.js';
import { messageModel } from './message.model.js';
import { groupCommit } from '../lib/group-commit.js';
import { lhasaMonth } from '../lib/lhasa-time.js';

export interface LogEntry {
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  at: Date;
}

export interface MessageRepo {
  /**
   * Queues entries for the log (group commit). The promise settles when they are stored; the
   * conversation does not wait for it, so a reply is never held up by the log.
   */
  append(personId: string, channel: ChannelId, entries: LogEntry[]): Promise<void>;
  /** Resolves when everything appended so far is stored (reads and shutdown call it). */
  flush(): Promise<void>;
  transcript(personId: string, limit?: number): Promise<(LogEntry & { channel: string })[]>;
  /** Deletes entries older than `before`; returns how many went. */
  deleteOlderThan(before: Date): Promise<number>;
}

export function createMessageRepo(conn: Connection): MessageRepo {
  const Message = messageModel(conn);
  const commit = groupCommit((docs: object[]) =>
    // The raw driver: entries are built and checked here, mongoose casting would only cost CPU.
    Message.collection.insertMany(docs, { ordered: true }).then(() => undefined),
  );
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
    flush: () => commit.flush(),
    async transcript(personId, limit = 200) {
      await commit.flush();
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
