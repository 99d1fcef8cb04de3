const DAY_MS = 24 * 60 * 60 * 1000;

/** Days after `reviewedAt` when a card is due for review again. */
export const REVIEW_PERIOD_DAYS = 365;

/** A card is stale when its last review is older than the review period. */
export function isStale(reviewedAt: string, now: Date, periodDays = REVIEW_PERIOD_DAYS): boolean {
  return now.getTime() - Date.parse(`${reviewedAt}T00:00:00Z`) > periodDays * DAY_MS;
}
