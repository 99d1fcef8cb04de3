import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Sensitive values at rest (disability, health): AES-256-GCM under `DATA_KEY`. A sealed value is
 * `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url), so each value names the key that sealed it:
 * `DATA_KEY` may list several keys (space-separated, the first seals, all open), and
 * `npm run data:rotate` re-seals everything under the first. The caller's context (the person
 * and the field) is bound as associated data: a value copied to another person or field does not
 * open.
 */
export interface Sealer {
  /** The key id new values are sealed with. */
  readonly keyId: string;
  seal(plain: string, context: string): string;
  /** The plain text, or null when no configured key opens it (or it was tampered with). */
  open(sealed: string, context: string): string | null;
  /** Whether the value was sealed with the current key (rotation leaves those alone). */
  isCurrent(sealed: string): boolean;
}

interface Key {
  id: string;
  key: Buffer;
}

export class SealError extends Error {
  override readonly name = 'SealError';
}

export function createSealer(dataKey: string): Sealer {
  const keys = dataKey
    .split(/\s+/)
    .filter((k) => k.length > 0)
    .map(deriveKey);
  const current = keys[0];
  if (!current) throw new SealError('DATA_KEY is empty');
  const byId = new Map(keys.map((k) => [k.id, k]));

  return {
    keyId: current.id,
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', current.id, b64(iv), b64(body), b64(cipher.getAuthTag())].join('.');
    },
    open(sealed, context) {
      const [v, id, iv, body, tag] = sealed.split('.');
      const key = id ? byId.get(id) : undefined;
      if (v !== 'v1' || !key || iv === undefined || body === undefined || tag === undefined)
        return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return null;
      }
    },
    isCurrent(sealed) {
      return sealed.split('.')[1] === current.id;
    },
  };
}

/** The AES key from a secret of any form (HKDF), and an id that names it without revealing it. */
function deriveKey(secret: string): Key {
  const key = Buffer.from(hkdfSync('sha256', secret, 'lamton', 'data-key aes-256-gcm', 32));
  const id = createHash('sha256').update(`lamton key id\0${secret}`).digest('hex').slice(0, 8);
  return { id, key };
}

const b64 = (b: Buffer) => b.toString('base64url');
