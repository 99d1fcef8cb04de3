import { describe, expect, it } from 'vitest';
import { createSealer } from './sealed.js';

const OLD = 'old-data-key-0123456789abcdef0123456789';
const NEW = 'new-data-key-abcdef0123456789abcdef012345';

describe('sealed values (AES-256-GCM under DATA_KEY)', () => {
  it('opens what it sealed, in its context only, and names the key in the value', () => {
    const s = createSealer(OLD);
    const sealed = s.seal('certified', 'people/1/disability');
    expect(sealed).toMatch(new RegExp(`^v1\\.${s.keyId}\\.`));
    expect(sealed).not.toContain('certified');
    expect(s.open(sealed, 'people/1/disability')).toBe('certified');
    // Copied to another person or field, it does not open.
    expect(s.open(sealed, 'people/2/disability')).toBeNull();
    expect(s.open(sealed, 'people/1/health')).toBeNull();
    // Two seals of the same text differ (a fresh IV each time).
    expect(s.seal('certified', 'c')).not.toBe(s.seal('certified', 'c'));
  });

  it('refuses tampered, truncated and foreign values without throwing', () => {
    const s = createSealer(OLD);
    const sealed = s.seal('limits-work', 'ctx');
    const parts = sealed.split('.');
    const flipped = [...parts];
    flipped[3] = Buffer.from(
      Buffer.from(parts[3]!, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b)),
    ).toString('base64url');
    for (const bad of [
      flipped.join('.'),
      parts.slice(0, 4).join('.'),
      '',
      'v1',
      'v2.x.y.z.w',
      '....',
    ])
      expect(s.open(bad, 'ctx')).toBeNull();
    expect(createSealer(NEW).open(sealed, 'ctx')).toBeNull();
  });

  it('rotates: with "new old" the new key seals and both open', () => {
    const before = createSealer(OLD).seal('none', 'ctx');
    const both = createSealer(`${NEW} ${OLD}`);
    expect(both.keyId).toBe(createSealer(NEW).keyId);
    expect(both.isCurrent(before)).toBe(false);
    expect(both.open(before, 'ctx')).toBe('none');
    const after = both.seal('none', 'ctx');
    expect(both.isCurrent(after)).toBe(true);
    expect(createSealer(NEW).open(after, 'ctx')).toBe('none');
  });
});
