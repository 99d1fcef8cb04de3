import type { PlanDue } from '../engine/flow.schema.js';
import { LHASA_OFFSET_MS } from '../lib/lhasa-time.js';
import { normalizeInput } from '../lib/normalize.js';
import { splitText } from '../lib/split-text.js';
import type { Lang } from '../messaging/lang.js';

/** The hour, Lhasa time, at which a step's reminder (and a follow-up) goes on its day. */
export const REMIND_HOUR = 10;
/** The longest step text (and employer or work) kept. */
export const PLAN_TEXT_MAX = 200;

/** A step's date from the person's choice: that many days or a calendar month on, at 10:00 Lhasa. */
export function planDueAt(due: PlanDue, now: Date): Date {
  switch (due) {
    case '3d':
      return lhasaDayAt(now, { days: 3 });
    case '1w':
      return lhasaDayAt(now, { days: 7 });
    case '2w':
      return lhasaDayAt(now, { days: 14 });
    case '1m':
      return lhasaDayAt(now, { months: 1 });
  }
}

/** One and three months after "I found a job", at 10:00 Lhasa. */
export const followupDueAt = (at: Date, months: 1 | 3): Date => lhasaDayAt(at, { months });

/**
 * The Lhasa calendar day `add` away from `now`, at REMIND_HOUR. A month on from the 31st is the
 * next month's last day (31 January → 28 or 29 February).
 */
function lhasaDayAt(now: Date, add: { days?: number; months?: number }): Date {
  const local = new Date(now.getTime() + LHASA_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + (add.months ?? 0);
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(local.getUTCDate(), lastDay) + (add.days ?? 0);
  return new Date(Date.UTC(year, month, day, REMIND_HOUR) - LHASA_OFFSET_MS);
}

/** "5月3日" / "ཟླ་༥ ཚེས་༣", the day in Lhasa. */
export function lhasaDay(at: Date, lang: Lang): string {
  const local = new Date(at.getTime() + LHASA_OFFSET_MS);
  const month = local.getUTCMonth() + 1;
  const day = local.getUTCDate();
  return lang === 'bo'
    ? `ཟླ་${tibetanDigits(month)} ཚེས་${tibetanDigits(day)}`
    : `${month}月${day}日`;
}

export const tibetanDigits = (n: number | string): string =>
  String(n).replace(/[0-9]/g, (d) => String.fromCharCode(0x0f20 + Number(d)));

/**
 * Free text as kept in a plan or an employment record: one line, no control, zero-width or bidi
 * characters, NFC, at most PLAN_TEXT_MAX characters (never cut inside a Tibetan stack). Markup
 * and `{{…}}` stay as written: they are data, and i18next does not interpolate into values.
 */
export function cleanPlanText(raw: string): string {
  const line = planLine(raw);
  return line.length > PLAN_TEXT_MAX ? (splitText(line, PLAN_TEXT_MAX)[0] ?? '') : line;
}

/** The text cleaned as `cleanPlanText` does, not yet cut (an API refuses what is too long). */
export function planLine(raw: string): string {
  // Look at a little more than the cap only: cleaning a huge text would already cost.
  const head = raw.length > PLAN_TEXT_MAX * 4 ? raw.slice(0, PLAN_TEXT_MAX * 4) : raw;
  return normalizeInput(head).replace(/\s+/g, ' ').trim();
}
