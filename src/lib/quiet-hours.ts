/** Lhasa keeps China Standard Time, UTC+8 all year. */
const LHASA_OFFSET_MIN = 8 * 60;
const DAY_MIN = 24 * 60;

/** A daily window in Lhasa time, `HH:MM-HH:MM` (may cross midnight: `22:00-08:00`). */
export interface QuietHours {
  /** Whether `at` falls inside the window. */
  contains(at: Date): boolean;
  /** Milliseconds from `at` to the end of the window (0 when outside it). */
  msUntilEnd(at: Date): number;
}

/** Parses `HH:MM-HH:MM` (validated by config); equal ends mean no quiet hours at all. */
export function parseQuietHours(range: string): QuietHours {
  const [from, to] = range.split('-').map(minutesOf) as [number, number];
  const minuteOfDay = (at: Date) =>
    (Math.floor(at.getTime() / 60_000) + LHASA_OFFSET_MIN) % DAY_MIN;
  const contains = (at: Date) => {
    if (from === to) return false;
    const m = minuteOfDay(at);
    return from < to ? m >= from && m < to : m >= from || m < to;
  };
  return {
    contains,
    msUntilEnd(at) {
      if (!contains(at)) return 0;
      const m = minuteOfDay(at);
      const minutes = (to - m + DAY_MIN) % DAY_MIN || DAY_MIN;
      // To the start of the minute the window ends, less the seconds already gone in this one.
      return minutes * 60_000 - (at.getTime() % 60_000);
    },
  };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
