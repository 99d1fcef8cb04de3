import { Schema, type Connection, type Model } from 'mongoose';
import type { PolicyCard } from '../knowledge/card.schema.js';

/** A policy card as stored: the reviewed card plus its life cycle. */
export interface CardDoc {
  _id: string;
  card: PolicyCard;
  /** `file`: as shipped in knowledge/cards; `admin`: edited through the admin API (a deploy keeps it). */
  origin: 'file' | 'admin';
  retired: boolean;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

const cardSchema = new Schema<CardDoc>(
  {
    _id: { type: String, required: true },
    card: { type: Schema.Types.Mixed, required: true },
    origin: { type: String, enum: ['file', 'admin'], required: true },
    retired: { type: Boolean, default: false },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'policy_cards', versionKey: false, minimize: false },
);

export function cardModel(conn: Connection): Model<CardDoc> {
  return (
    (conn.models.PolicyCard as Model<CardDoc> | undefined) ??
    conn.model<CardDoc>('PolicyCard', cardSchema)
  );
}
