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
  append(personId: string, channel: ChannelId, entries: LogEntry[]): Promise<void>;
  transcript(personId: string, limit?: number): Promise<(LogEntry & { channel: string })[]>;
  /** Deletes entries older than `before`; returns how many went. */
  deleteOlderThan(before: Date): Promise<number>;
}

export function createMessageRepo(conn: Connection): MessageRepo {
  const Message = messageModel(conn);
  const commit = groupCommit((docs: object[]) =>
    Message.insertMany(docs, { ordered: true }).then(() => undefined),
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
