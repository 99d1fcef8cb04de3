import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every account API token: recognisable in a leaked file and in secret scanners. */
export const TOKEN_PREFIX = 'lmt_';

/** A new API token (`lmt_` + 32 random bytes, base64url). Shown once; only its hash is stored. */
export function newApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What is stored and looked up: SHA-256 of the token (a 256-bit random token needs no salt). */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
