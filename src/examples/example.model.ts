import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Lang } from '../messaging/lang.js';

/**
 * An example question an administrator taught the assistant (the shipped ones are files in
 * knowledge/examples). Curated knowledge, not a person's record: administrators strip names and
 * numbers before saving one.
 */
export interface ExampleDoc {
  _id: Types.ObjectId;
  lang: Lang;
  text: string;
  /** a DESIGN.md topic id, or `none` (a question the assistant should decline) */
  topic: string;
  /** the unanswered question it was taught from, if any */
  questionId: Types.ObjectId | null;
  createdAt: Date;
}

const exampleSchema = new Schema<ExampleDoc>(
  {
    lang: { type: String, enum: ['zh-CN', 'bo'], required: true },
    text: { type: String, required: true },
    topic: { type: String, required: true },
    questionId: { type: Schema.Types.ObjectId, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'examples', versionKey: false },
);
// One example per text (normalised before saving).
exampleSchema.index({ text: 1 }, { unique: true });

export function exampleModel(conn: Connection): Model<ExampleDoc> {
  return (
    (conn.models.Example as Model<ExampleDoc> | undefined) ??
    conn.model<ExampleDoc>('Example', exampleSchema)
  );
}
