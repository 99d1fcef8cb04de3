import { Types, type Connection } from 'mongoose';
import type { Lang } from '../messaging/lang.js';
import {
  accountModel,
  accountTokenModel,
  type AccountDoc,
  type AccountTokenDoc,
} from './account.model.js';
import type { Role } from './role.js';
import { hashApiToken, newApiToken } from './token.js';

/** An account as the rest of the code sees it (never its password hash). */
export interface Account {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  languages: Lang[];
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
}

/** An API token as listed: its name and dates, never the token or its hash. */
export interface TokenInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NewAccount {
  username: string;
  role: Role;
  displayName?: string;
  languages?: Lang[];
  passwordHash?: string;
}

export interface AccountPatch {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  languages?: Lang[];
  displayName?: string;
}

export interface AccountRepo {
  /** 'duplicate' when the user name is taken (the unique index decides races). */
  create(account: NewAccount, now: Date): Promise<Account | 'duplicate'>;
  /** The account of that name, created with this role when there is none. */
  ensure(username: string, role: Role, now: Date): Promise<Account>;
  /** null for an unknown or malformed id. */
  byId(id: string): Promise<Account | null>;
  byUsername(username: string): Promise<Account | null>;
  /** For the login check only: the account and its password hash. */
  credentials(username: string): Promise<{ account: Account; passwordHash: string | null } | null>;
  update(id: string, patch: AccountPatch): Promise<Account | null>;
  /** Every account with its tokens, by user name. */
  list(): Promise<(Account & { tokens: TokenInfo[] })[]>;
  /** Enabled administrators other than the given account. */
  otherActiveAdmins(exceptId: string): Promise<number>;
  /** A new token for the account (the token itself returned once), or null: no such account. */
  addToken(
    accountId: string,
    name: string,
    now: Date,
  ): Promise<{ id: string; token: string } | null>;
  revokeToken(accountId: string, tokenId: string): Promise<boolean>;
  /** The account a bearer token belongs to (marking the token used), or null. */
  byToken(token: string, now: Date): Promise<Account | null>;
}

/** `lastUsedAt` is written at most this often per token (not one write per request). */
const TOUCH_EVERY_MS = 60_000;

export function createAccountRepo(conn: Connection): AccountRepo {
  const Accounts = accountModel(conn);
  const Tokens = accountTokenModel(conn);
  const oid = (id: string) => (/^[0-9a-f]{24}$/.test(id) ? new Types.ObjectId(id) : null);

  const repo: AccountRepo = {
    async create(a, now) {
      try {
        const doc = await Accounts.create({
          username: a.username,
          role: a.role,
          displayName: a.displayName ?? null,
          languages: a.languages ?? [],
          passwordHash: a.passwordHash ?? null,
          disabled: false,
          createdAt: now,
        });
        return view(doc.toObject());
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return 'duplicate';
        throw err;
      }
    },
    async ensure(username, role, now) {
      const existing = await repo.byUsername(username);
      if (existing) return existing;
      const created = await repo.create({ username, role }, now);
      if (created !== 'duplicate') return created;
      // Another process created it at the same moment.
      const raced = await repo.byUsername(username);
      if (!raced) throw new Error(`account ${username} neither created nor found`);
      return raced;
    },
    async byId(id) {
      const _id = oid(id);
      const doc = _id ? await Accounts.findById(_id).lean() : null;
      return doc ? view(doc) : null;
    },
    async byUsername(username) {
      const doc = await Accounts.findOne({ username }).lean();
      return doc ? view(doc) : null;
    },
    async credentials(username) {
      const doc = await Accounts.findOne({ username }).lean();
      return doc ? { account: view(doc), passwordHash: doc.passwordHash } : null;
    },
    async update(id, patch) {
      const _id = oid(id);
      if (!_id) return null;
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const doc = await Accounts.findOneAndUpdate(
        { _id },
        { $set: set },
        { returnDocument: 'after' },
      ).lean();
      return doc ? view(doc) : null;
    },
    async list() {
      const [accounts, tokens] = await Promise.all([
        Accounts.find().sort({ username: 1 }).lean(),
        Tokens.find().sort({ createdAt: 1 }).lean(),
      ]);
      return accounts.map((a) => ({
        ...view(a),
        tokens: tokens.filter((t) => t.accountId.equals(a._id)).map(tokenView),
      }));
    },
    async otherActiveAdmins(exceptId) {
      const _id = oid(exceptId);
      return Accounts.countDocuments({
        role: 'admin',
        disabled: false,
        ...(_id ? { _id: { $ne: _id } } : {}),
      });
    },
    async addToken(accountId, name, now) {
      const _id = oid(accountId);
      if (!_id || !(await Accounts.exists({ _id }))) return null;
      const token = newApiToken();
      const doc = await Tokens.create({
        accountId: _id,
        name,
        hash: hashApiToken(token),
        createdAt: now,
        lastUsedAt: null,
      });
      return { id: doc._id.toHexString(), token };
    },
    async revokeToken(accountId, tokenId) {
      const a = oid(accountId);
      const t = oid(tokenId);
      if (!a || !t) return false;
      return (await Tokens.deleteOne({ _id: t, accountId: a })).deletedCount === 1;
    },
    async byToken(token, now) {
      const found = await Tokens.findOne({ hash: hashApiToken(token) }).lean();
      if (!found) return null;
      const account = await Accounts.findById(found.accountId).lean();
      if (!account) return null;
      if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > TOUCH_EVERY_MS)
        await Tokens.updateOne({ _id: found._id }, { $set: { lastUsedAt: now } });
      return view(account);
    },
  };
  return repo;
}

function view(d: AccountDoc): Account {
  return {
    id: d._id.toHexString(),
    username: d.username,
    displayName: d.displayName ?? null,
    role: d.role,
    languages: d.languages ?? [],
    disabled: d.disabled,
    hasPassword: !!d.passwordHash,
    createdAt: d.createdAt.toISOString(),
  };
}

function tokenView(t: AccountTokenDoc): TokenInfo {
  return {
    id: t._id.toHexString(),
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}
