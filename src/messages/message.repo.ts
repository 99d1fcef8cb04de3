import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import type { ChannelId } from '../messaging/inbound.js';
import { messageModel } from './message.model.js';
import { backgroundRetry, BACKGROUND_LINGER_MS, groupCommit } from '../lib/group-commit.js';
import { onlyDuplicates } from '../lib/db-errors.js';
import { lhasaMonth } from '../lib/lhasa-time.js';

export interface LogEntry {
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  at: Date;
  mediaUrl?: string;
}

export interface MessageRepo {
  /**
   * Queues entries for the log (group commit). The promise settles when they are stored; the
   * conversation does not wait for it, so a reply is never held up by the log.
   */
  append(personId: string, channel: ChannelId, entries: LogEntry[]): Promise<void>;
  /** Resolves when everything appended so far is stored (reads and shutdown call it). */
  flush(): Promise<void>;
  /** The last `limit` lines of a person's log, oldest first. */
  transcript(personId: string, limit?: number): Promise<(LogEntry & { channel: string })[]>;
  /** Deletes entries older than `before`; returns how many went. */
  deleteOlderThan(before: Date): Promise<number>;
}

export function createMessageRepo(
  conn: Connection,
  opts: { onDropped?: (count: number) => void } = {},
): MessageRepo {
  const Message = messageModel(conn);
  const commit = groupCommit(
    (docs: object[]) =>
      // The raw driver: entries are built and checked here, mongoose casting would only cost CPU.
      // Unordered, and ids kept from the first try: a retry after an outage stores the rest and
      // takes "already stored" for what got in before.
      Message.collection.insertMany(docs, { ordered: false }).then(
        () => undefined,
        (err: unknown) => {
          if (!onlyDuplicates(err)) throw err;
        },
      ),
    500,
    BACKGROUND_LINGER_MS,
    backgroundRetry(opts.onDropped),
  );
  return {
    async append(personId, channel, entries) {
      const kept = entries
        .filter((e) => e.text.length > 0)
        // The database never sees NUL (FerretDB rejects it; inputs are normalised already).
        .map((e) => ({
          from: e.from,
          text: e.text.replaceAll('\u0000', ''),
          at: e.at,
          ...(e.mediaUrl ? { mediaUrl: e.mediaUrl } : {}),
        }));
      const first = kept[0];
      if (!first) return;
      await commit([
        {
          personId: new Types.ObjectId(personId),
          channel,
          entries: kept,
          at: first.at,
          month: lhasaMonth(first.at),
        },
      ]);
    },
    flush: () => commit.flush(),
    async transcript(personId, limit = 200) {
      await commit.flush();
      const docs = await Message.find({ personId: new Types.ObjectId(personId) })
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .lean();
      const lines = docs.reverse().flatMap((d) =>
        (d.entries ?? []).map((e) => ({
          from: e.from,
          text: e.text,
          at: e.at,
          channel: d.channel,
          ...(e.mediaUrl ? { mediaUrl: e.mediaUrl } : {}),
        })),
      );
      return lines.slice(-limit);
    },
    async deleteOlderThan(before) {
      const res = await Message.deleteMany({ at: { $lt: before } });
      return res.deletedCount;
    },
  };
}
