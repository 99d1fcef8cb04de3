import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** One line of the conversation log: what the person, the assistant or a counsellor said. */
export interface MessageEntry {
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  at: Date;
  /** A voice note or photo: this service's own expiring link to it (never a channel's URL). */
  mediaUrl?: string;
}

/**
 * One exchange of the conversation log, on one channel: the person's message and the
 * assistant's replies together (a counsellor's message is an exchange of its own). One document
 * per turn rather than per line halves the writes on FerretDB/SQLite, where each insert is costly.
 */
export interface MessageDoc {
  _id: Types.ObjectId;
  personId: Types.ObjectId;
  channel: string;
  entries: MessageEntry[];
  /** Time of the first entry. */
  at: Date;
  /** `YYYY-MM` (Lhasa time), for monthly reports without date arithmetic in aggregation. */
  month: string;
}

const entrySchema = new Schema<MessageEntry>(
  {
    from: { type: String, enum: ['person', 'assistant', 'counsellor'], required: true },
    text: { type: String, required: true },
    at: { type: Date, required: true },
    mediaUrl: { type: String, default: undefined },
  },
  { _id: false },
);

const messageSchema = new Schema<MessageDoc>(
  {
    personId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    entries: { type: [entrySchema], required: true },
    at: { type: Date, required: true },
    month: { type: String, required: true },
  },
  { collection: 'messages', versionKey: false },
);
// Transcript of one person, oldest first (handoff context, /mydata).
messageSchema.index({ personId: 1, at: 1 });
// Retention clean-up: delete everything older than RETENTION_MESSAGES_DAYS.
messageSchema.index({ at: 1 });

export function messageModel(conn: Connection): Model<MessageDoc> {
  return (
    (conn.models.Message as Model<MessageDoc> | undefined) ??
    conn.model<MessageDoc>('Message', messageSchema)
  );
}
