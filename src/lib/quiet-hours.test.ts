import { describe, expect, it } from 'vitest';
import { parseQuietHours } from './quiet-hours.js';

// Lhasa is UTC+8: 22:00 Lhasa = 14:00 UTC, 08:00 Lhasa = 00:00 UTC.
const at = (iso: string) => new Date(iso);

describe('quiet hours (Lhasa time)', () => {
  const q = parseQuietHours('22:00-08:00');

  it('holds across midnight in Lhasa, not in UTC', () => {
    expect(q.contains(at('2026-12-04T13:59:00Z'))).toBe(false); // 21:59
    expect(q.contains(at('2026-12-04T14:00:00Z'))).toBe(true); // 22:00
    expect(q.contains(at('2026-12-04T23:59:59Z'))).toBe(true); // 07:59:59
    expect(q.contains(at('2026-12-05T00:00:00Z'))).toBe(false); // 08:00
  });

  it('says how long until it ends', () => {
    expect(q.msUntilEnd(at('2026-12-04T14:00:00Z'))).toBe(10 * 3600_000);
    expect(q.msUntilEnd(at('2026-12-04T23:59:30Z'))).toBe(30_000);
    expect(q.msUntilEnd(at('2026-12-04T12:00:00Z'))).toBe(0);
  });

  it('a window inside one day, and none when both ends are equal', () => {
    const noon = parseQuietHours('12:00-13:30');
    expect(noon.contains(at('2026-12-04T04:30:00Z'))).toBe(true); // 12:30
    expect(noon.msUntilEnd(at('2026-12-04T04:30:00Z'))).toBe(60 * 60_000);
    expect(noon.contains(at('2026-12-04T05:30:00Z'))).toBe(false); // 13:30
    expect(parseQuietHours('00:00-00:00').contains(at('2026-12-04T05:30:00Z'))).toBe(false);
  });
});
