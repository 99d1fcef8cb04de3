import { describe, expect, it } from 'vitest';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.js';
import { hashApiToken, newApiToken } from './token.js';

describe('passwords (scrypt)', () => {
  it('stores the parameters and salt with the hash, and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
    // A fresh salt each time: the same password never gives the same hash.
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
  });

  it('compares passwords in NFC (Tibetan typed from another keyboard)', async () => {
    const hash = await hashPassword('ལས་འཚོལ་གསང་ཨང་12345');
    // The same password composed differently (NFD) is the same password.
    expect(await verifyPassword('ལས་འཚོལ་གསང་ཨང་12345'.normalize('NFD'), hash)).toBe(true);
  });

  it('answers false, not an exception, for a malformed or tampered hash', async () => {
    const hash = await hashPassword('some long password');
    const [, , r, p, salt, key] = hash.split('$');
    for (const bad of [
      '',
      'bcrypt$x',
      hash.replace('scrypt', 'scrypd'),
      `scrypt$3$${r}$${p}$${salt}$${key}`, // N not a power of two
      `scrypt$1073741824$${r}$${p}$${salt}$${key}`, // gigabytes of memory
      `scrypt$32768$${r}$${p}$$${key}`,
      DUMMY_HASH,
    ])
      expect(await verifyPassword('some long password', bad), bad).toBe(false);
  });

  it('API tokens: lmt_ and 32 random bytes; only a SHA-256 is kept', () => {
    const a = newApiToken();
    expect(a).toMatch(/^lmt_[A-Za-z0-9_-]{43}$/);
    expect(newApiToken()).not.toBe(a);
    expect(hashApiToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiToken(a)).toBe(hashApiToken(a));
  });
});
