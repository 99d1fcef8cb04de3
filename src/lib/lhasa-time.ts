/** Lhasa keeps China Standard Time, UTC+8 all year (no daylight saving since 1991). */
export const LHASA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `YYYY-MM` in Lhasa (China Standard Time), the month key kept on records reported by month. */
export function lhasaMonth(at: Date): string {
  // Arithmetic rather than Intl: this runs on every logged exchange.
  return new Date(at.getTime() + LHASA_OFFSET_MS).toISOString().slice(0, 7);
}

/** `YYYY-MM-DD` in Lhasa: the day a daily count (job alerts a day) is kept under. */
export function lhasaDay(at: Date): string {
  return new Date(at.getTime() + LHASA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The next `hour`:00 Lhasa time strictly after `at`. */
export function nextLhasaHour(at: Date, hour: number): Date {
  const local = at.getTime() + LHASA_OFFSET_MS;
  const dayStart = local - (local % 86_400_000);
  let next = dayStart + hour * 3_600_000;
  if (next <= local) next += 86_400_000;
  return new Date(next - LHASA_OFFSET_MS);
}
