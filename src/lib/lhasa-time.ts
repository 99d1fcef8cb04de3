/** Lhasa keeps China Standard Time, UTC+8 all year (no daylight saving since 1991). */
export const LHASA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `YYYY-MM` in Lhasa (China Standard Time), the month key kept on records reported by month. */
export function lhasaMonth(at: Date): string {
  // Arithmetic rather than Intl: this runs on every logged exchange.
  return new Date(at.getTime() + LHASA_OFFSET_MS).toISOString().slice(0, 7);
}
