// Service-level timers for counsellor cases: working hours (Lhasa time) minus the holidays of
// the calendar (holiday-calendar.ts), plus China's make-up working days. Pure functions over Dates.
import type { Calendar } from './holiday-calendar.js';
import { LHASA_OFFSET_MS } from './lhasa-time.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Days searched for the next working period before giving up (a year and a bit). */
const MAX_SEARCH_DAYS = 400;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const SPEC = /^([A-Z][a-z]{2})-([A-Z][a-z]{2}) (\d\d):(\d\d)-(\d\d):(\d\d)$/;

/** Weekly working hours in Lhasa time: `days[0]` is Sunday; minutes since Lhasa midnight. */
export interface WorkingHours {
  readonly spec: string;
  readonly days: readonly boolean[];
  readonly startMin: number;
  readonly endMin: number;
}

/** Parses `Mon-Fri 09:30-18:00`; the day range may wrap (`Sat-Tue`); the end must follow the start. */
export function parseWorkingHours(spec: string): WorkingHours {
  const m = SPEC.exec(spec.trim());
  if (!m) throw new Error(`working hours "${spec}": expected e.g. Mon-Fri 09:30-18:00`);
  const [, from = '', to = '', sh, sm, eh, em] = m;
  const startMin = clockMinutes(spec, sh, sm);
  const endMin = clockMinutes(spec, eh, em);
  if (endMin <= startMin) throw new Error(`working hours "${spec}": must end after they start`);
  return { spec, days: dayRange(spec, from, to), startMin, endMin };
}

function clockMinutes(spec: string, hh = '', mm = ''): number {
  const h = Number(hh);
  const m = Number(mm);
  if (h > 23 || m > 59) throw new Error(`working hours "${spec}": no such time ${hh}:${mm}`);
  return h * 60 + m;
}

function dayRange(spec: string, from: string, to: string): boolean[] {
  const first = dayIndex(spec, from);
  const last = dayIndex(spec, to);
  const days = DAY_NAMES.map(() => false);
  for (let d = first; ; d = (d + 1) % 7) {
    days[d] = true;
    if (d === last) return days;
  }
}

function dayIndex(spec: string, name: string): number {
  const i = (DAY_NAMES as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`working hours "${spec}": unknown day ${name}`);
  return i;
}

/** Whole Lhasa days since 1970-01-01 (Lhasa) for a moment. */
function lhasaDay(ms: number): number {
  return Math.floor((ms + LHASA_OFFSET_MS) / DAY_MS);
}

/** `YYYY-MM-DD` of a Lhasa day number. */
function dateKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Whether a Lhasa day is a working day: not a holiday, and a make-up day or a usual weekday. */
function isWorkingDay(day: number, hours: WorkingHours, cal: Calendar): boolean {
  const key = dateKey(day);
  if (cal.holidays.has(key)) return false;
  // 1970-01-01 was a Thursday (index 4).
  return cal.workdays.has(key) || hours.days[(day + 4) % 7] === true;
}

/** The working period of a Lhasa day as UTC milliseconds `[start, end)`. */
function periodOf(day: number, hours: WorkingHours): [number, number] {
  const midnight = day * DAY_MS - LHASA_OFFSET_MS;
  return [midnight + hours.startMin * MINUTE_MS, midnight + hours.endMin * MINUTE_MS];
}

/** Whether `at` falls inside working hours on a working day (start inclusive, end exclusive). */
export function isWorkingTime(at: Date, hours: WorkingHours, cal: Calendar): boolean {
  const t = at.getTime();
  const day = lhasaDay(t);
  if (!isWorkingDay(day, hours, cal)) return false;
  const [start, end] = periodOf(day, hours);
  return t >= start && t < end;
}

/** The working period containing `at` or the next one after it; throws after 400 days. */
function nextPeriod(t: number, hours: WorkingHours, cal: Calendar): [number, number] {
  const first = lhasaDay(t);
  for (let day = first; day <= first + MAX_SEARCH_DAYS; day++) {
    if (!isWorkingDay(day, hours, cal)) continue;
    const [start, end] = periodOf(day, hours);
    if (t < end) return [Math.max(t, start), end];
  }
  throw new Error(`no working time within ${MAX_SEARCH_DAYS} days of ${new Date(t).toISOString()}`);
}

/** `at` when it is working time, else the start of the next working period. */
export function nextWorkingStart(at: Date, hours: WorkingHours, cal: Calendar): Date {
  return new Date(nextPeriod(at.getTime(), hours, cal)[0]);
}

/** The moment `minutes` of working time after `at`; time outside working hours does not count. */
export function addWorkingMinutes(
  at: Date,
  minutes: number,
  hours: WorkingHours,
  cal: Calendar,
): Date {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new Error(`working minutes must be a finite number ≥ 0, got ${minutes}`);
  }
  let left = minutes * MINUTE_MS;
  let t = at.getTime();
  while (left > 0) {
    const [start, end] = nextPeriod(t, hours, cal);
    if (left <= end - start) return new Date(start + left);
    left -= end - start;
    t = end;
  }
  return new Date(t);
}

/** Minutes of working time in `[from, to)` (fractional when the ends are; 0 when `to` ≤ `from`). */
export function workingMinutesBetween(
  from: Date,
  to: Date,
  hours: WorkingHours,
  cal: Calendar,
): number {
  const a = from.getTime();
  const b = to.getTime();
  let ms = 0;
  for (let day = lhasaDay(a); b > a && day <= lhasaDay(b); day++) {
    if (!isWorkingDay(day, hours, cal)) continue;
    const [start, end] = periodOf(day, hours);
    ms += Math.max(0, Math.min(end, b) - Math.max(start, a));
  }
  return ms / MINUTE_MS;
}
