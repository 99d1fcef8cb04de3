import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The admin pages' session cookie (HttpOnly, SameSite=Strict, Path=/; Secure over https). */
export const ADMIN_COOKIE = 'lamton_admin';
/** A session ends 12 hours after its last use. */
export const ADMIN_SESSION_TTL_SEC = 12 * 60 * 60;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Logged-in sessions of the admin pages: `${prefix}admin:sess:<id>` → `<account id>:<generation>`,
 * in Redis. The account's generation (`admin:gen:<account id>`) moves on when its password
 * changes or it is disabled: every session it had then ends.
 */
export interface AdminSessionStore {
  /** A new session for the account; its id goes into the cookie. */
  create(accountId: string): Promise<string>;
  /** The account id of a live session (its TTL renewed), or null. */
  get(id: string): Promise<string | null>;
  destroy(id: string): Promise<void>;
  /** Ends every session of the account (a new password, a disabled account). */
  endAll(accountId: string): Promise<void>;
}

export function createAdminSessionStore(
  redis: Redis,
  prefix: string,
  ttlSec = ADMIN_SESSION_TTL_SEC,
): AdminSessionStore {
  const key = (id: string) => `${prefix}admin:sess:${id}`;
  const genKey = (accountId: string) => `${prefix}admin:gen:${accountId}`;
  const generation = async (accountId: string) => (await redis.get(genKey(accountId))) ?? '0';
  return {
    async create(accountId) {
      const id = randomBytes(32).toString('base64url');
      await redis.set(key(id), `${accountId}:${await generation(accountId)}`, 'EX', ttlSec);
      return id;
    },
    async get(id) {
      if (!SESSION_ID.test(id)) return null;
      // Sliding expiry: every use pushes the end 12 hours out.
      const value = await redis.getex(key(id), 'EX', ttlSec);
      const [accountId, gen] = value?.split(':') ?? [];
      if (!accountId || gen === undefined) return null;
      return gen === (await generation(accountId)) ? accountId : null;
    },
    async destroy(id) {
      if (SESSION_ID.test(id)) await redis.del(key(id));
    },
    async endAll(accountId) {
      await redis.incr(genKey(accountId));
    },
  };
}
