import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Lang } from '../messaging/lang.js';

/** A free-text question and what the assistant did with it (for feedback and admin review). */
export interface QuestionDoc {
  _id: Types.ObjectId;
  personId: Types.ObjectId;
  channel: string;
  lang: Lang;
  text: string;
  outcome: 'answered' | 'clarify' | 'declined' | 'distress';
  cardId: string | null;
  topic: string | null;
  confidence: number;
  /** null until the person presses "helpful?" */
  helpful: boolean | null;
  /** Declined, or answered but marked unhelpful: what administrators should look at. */
  unanswered: boolean;
  at: Date;
  month: string;
}

const questionSchema = new Schema<QuestionDoc>(
  {
    personId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    lang: { type: String, enum: ['zh-CN', 'bo'], required: true },
    text: { type: String, required: true },
    outcome: {
      type: String,
      enum: ['answered', 'clarify', 'declined', 'distress'],
      required: true,
    },
    cardId: { type: String, default: null },
    topic: { type: String, default: null },
    confidence: { type: Number, required: true },
    helpful: { type: Boolean, default: null },
    unanswered: { type: Boolean, required: true },
    at: { type: Date, required: true },
    month: { type: String, required: true },
  },
  { collection: 'questions', versionKey: false },
);
// GET /api/admin/questions/unanswered: newest first, paged by _id.
questionSchema.index({ unanswered: 1, _id: -1 });
// Retention clean-up.
questionSchema.index({ at: 1 });
// A person's recent questions (the case summary a counsellor reads).
questionSchema.index({ personId: 1, at: 1 });

export function questionModel(conn: Connection): Model<QuestionDoc> {
  return (
    (conn.models.Question as Model<QuestionDoc> | undefined) ??
    conn.model<QuestionDoc>('Question', questionSchema)
  );
}
