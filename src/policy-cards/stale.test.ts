import { describe, expect, it } from 'vitest';
import { isStale } from './stale.js';

describe('isStale', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('is false within the review period and true after it', () => {
    expect(isStale('2026-01-01', now)).toBe(false);
    expect(isStale('2025-11-25', now)).toBe(false);
    expect(isStale('2025-11-23', now)).toBe(true);
    expect(isStale('2026-11-01', now, 10)).toBe(true);
  });
});
