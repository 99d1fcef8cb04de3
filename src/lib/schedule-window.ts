/** How far back a "when" may lie (clock skew between systems), and how far ahead. */
const SKEW_MS = 5 * 60_000;
const HORIZON_MS = 366 * 24 * 60 * 60_000;

/**
 * Why a time to do something (a follow-up, a campaign's send) cannot be used, or null: in the
 * past (it would go out at once, long after it was meant), or more than a year ahead (a typo
 * such as 9999 would hold a job in the queue for ever).
 */
export function outsideScheduleWindow(at: Date, now: Date): string | null {
  if (Number.isNaN(at.getTime())) return 'not a real date';
  if (at.getTime() < now.getTime() - SKEW_MS) return 'in the past';
  if (at.getTime() > now.getTime() + HORIZON_MS) return 'more than a year ahead';
  return null;
}
