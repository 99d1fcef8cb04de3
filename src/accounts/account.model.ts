import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Lang } from '../messaging/lang.js';
import { ROLES, type Role } from './role.js';

/** A person who uses the admin side: an administrator, a supervisor or a counsellor. */
export interface AccountDoc {
  _id: Types.ObjectId;
  /** lower case, unique, never changed (the audit log names people by it) */
  username: string;
  displayName: string | null;
  role: Role;
  /** the languages a counsellor serves in */
  languages: Lang[];
  /** `scrypt$N$r$p$salt$hash`, or null: no password login (the ADMIN_TOKEN account, API-only) */
  passwordHash: string | null;
  disabled: boolean;
  createdAt: Date;
}

/** An API token of an account; only its SHA-256 is stored. Revoking one deletes it. */
export interface AccountTokenDoc {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  name: string;
  hash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const accountSchema = new Schema<AccountDoc>(
  {
    username: { type: String, required: true },
    displayName: { type: String, default: null },
    role: { type: String, enum: ROLES, required: true },
    languages: { type: [String], enum: ['zh-CN', 'bo'], default: [] },
    passwordHash: { type: String, default: null },
    disabled: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
  },
  { collection: 'accounts', versionKey: false },
);
// Login and user:add look an account up by its name; two accounts never share one.
accountSchema.index({ username: 1 }, { unique: true });

const tokenSchema = new Schema<AccountTokenDoc>(
  {
    accountId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    hash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
  },
  { collection: 'account_tokens', versionKey: false },
);
// Every bearer request looks its token up by hash.
tokenSchema.index({ hash: 1 }, { unique: true });
// An account's tokens, for the account list.
tokenSchema.index({ accountId: 1 });

export function accountModel(conn: Connection): Model<AccountDoc> {
  return (
    (conn.models.Account as Model<AccountDoc> | undefined) ??
    conn.model<AccountDoc>('Account', accountSchema)
  );
}

export function accountTokenModel(conn: Connection): Model<AccountTokenDoc> {
  return (
    (conn.models.AccountToken as Model<AccountTokenDoc> | undefined) ??
    conn.model<AccountTokenDoc>('AccountToken', tokenSchema)
  );
}
