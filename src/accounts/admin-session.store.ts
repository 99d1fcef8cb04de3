import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The admin pages' session cookie (HttpOnly, SameSite=Strict, Path=/; Secure over https). */
export const ADMIN_COOKIE = 'lamton_admin';
/** A session ends 12 hours after its last use. */
export const ADMIN_SESSION_TTL_SEC = 12 * 60 * 60;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Logged-in sessions of the admin pages: `${prefix}admin:sess:<id>` → account id, in Redis. */
export interface AdminSessionStore {
  /** A new session for the account; its id goes into the cookie. */
  create(accountId: string): Promise<string>;
  /** The account id of a live session (its TTL renewed), or null. */
  get(id: string): Promise<string | null>;
  destroy(id: string): Promise<void>;
}

export function createAdminSessionStore(
  redis: Redis,
  prefix: string,
  ttlSec = ADMIN_SESSION_TTL_SEC,
): AdminSessionStore {
  const key = (id: string) => `${prefix}admin:sess:${id}`;
  return {
    async create(accountId) {
      const id = randomBytes(32).toString('base64url');
      await redis.set(key(id), accountId, 'EX', ttlSec);
      return id;
    },
    async get(id) {
      if (!SESSION_ID.test(id)) return null;
      // Sliding expiry: every use pushes the end 12 hours out.
      return redis.getex(key(id), 'EX', ttlSec);
    },
    async destroy(id) {
      if (SESSION_ID.test(id)) await redis.del(key(id));
    },
  };
}
