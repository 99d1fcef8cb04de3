// Service-level timers for counsellor cases: working hours (Lhasa time) minus holidays, plus
// China's make-up working days. Pure functions over Dates; only the calendar source touches disk.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
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

/** Names of a calendar day in both languages. */
export interface DayName {
  readonly 'zh-CN': string;
  readonly bo: string;
}

/** One dated entry of the holiday calendar. */
export interface CalendarEntry {
  readonly date: string;
  readonly name: DayName;
  readonly estimated?: boolean;
  readonly note?: string;
}

/** Holidays and make-up working days, keyed by Lhasa date `YYYY-MM-DD`. */
export interface Calendar {
  readonly note?: string;
  readonly holidays: ReadonlyMap<string, CalendarEntry>;
  readonly workdays: ReadonlyMap<string, CalendarEntry>;
}

/** Where a calendar source reports problems (a pino logger fits). */
export interface CalendarLog {
  warn(obj: object, msg: string): void;
}

/** A calendar that follows edits of its file. */
export interface CalendarSource {
  /** The last good calendar, re-read when the file changed (checked at most every 5 s). */
  current(): Calendar;
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

const dayName = z.object({ 'zh-CN': z.string().min(1), bo: z.string().min(1) });
const entry = z.object({
  date: z.iso.date({ error: 'expected a real date YYYY-MM-DD' }),
  name: dayName,
  estimated: z.boolean().optional(),
  note: z.string().optional(),
});
const calendarFile = z
  .object({
    version: z.literal(1),
    note: z.string().optional(),
    holidays: z.array(entry),
    workdays: z.array(entry),
  })
  .superRefine((file, ctx) => {
    const seen = new Map<string, string>();
    for (const list of ['holidays', 'workdays'] as const) {
      file[list].forEach((e, i) => {
        const where = `${list}[${i}]`;
        const before = seen.get(e.date);
        if (before)
          ctx.addIssue({
            code: 'custom',
            path: [list, i, 'date'],
            message: `${e.date} is already listed as ${before}`,
          });
        else seen.set(e.date, where);
      });
    }
  });

/** An empty calendar: no holidays, no make-up days. */
export function emptyCalendar(): Calendar {
  return { holidays: new Map(), workdays: new Map() };
}

/** Validates the contents of `calendar/holidays.json`; throws an Error naming each bad entry. */
export function parseCalendar(json: unknown): Calendar {
  const parsed = calendarFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => describeIssue(json, i.path, i.message));
    throw new Error(`holiday calendar: ${problems.join('; ')}`);
  }
  const { note, holidays, workdays } = parsed.data;
  const byDate = (list: CalendarEntry[]) => new Map(list.map((e) => [e.date, e]));
  return {
    ...(note === undefined ? {} : { note }),
    holidays: byDate(holidays),
    workdays: byDate(workdays),
  };
}

function describeIssue(json: unknown, path: readonly PropertyKey[], message: string): string {
  const where = path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
    '',
  );
  const date = entryDate(json, path);
  return `${where || '(top level)'}${date ? ` (${date})` : ''}: ${message}`;
}

/** The `date` of the entry an issue path points into, when it has one, to name the entry. */
function entryDate(json: unknown, path: readonly PropertyKey[]): string | undefined {
  const [list, index] = path;
  if (typeof index !== 'number' || typeof list !== 'string') return undefined;
  const entries = (json as Record<string, unknown> | null)?.[list];
  const item: unknown = Array.isArray(entries) ? entries[index] : undefined;
  const date = (item as { date?: unknown } | undefined)?.date;
  return typeof date === 'string' ? date : undefined;
}

/** Reads and validates a calendar file; throws naming the file and the problem. */
export function loadCalendar(path: string): Calendar {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return parseCalendar(json);
  } catch (err) {
    throw new Error(`${path}: ${errorMessage(err)}`, { cause: err });
  }
}

const silentLog: CalendarLog = { warn: () => {} };

/**
 * A calendar that re-reads `path` when its mtime or size changes, at most every `checkEveryMs`.
 * A broken edit keeps the last good calendar and warns once; a missing file starts empty.
 */
export function createCalendarSource(
  path: string,
  log: CalendarLog = silentLog,
  opts: { checkEveryMs?: number; now?: () => number } = {},
): CalendarSource {
  const checkEveryMs = opts.checkEveryMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let calendar = emptyCalendar();
  let version: string | undefined;

  const refresh = () => {
    const seen = fileVersion(path);
    if (seen === version) return;
    version = seen;
    if (seen === 'missing') {
      log.warn({ path }, 'holiday calendar file not found; keeping the current calendar');
      return;
    }
    try {
      calendar = loadCalendar(path);
    } catch (err) {
      log.warn(
        { path, err: errorMessage(err) },
        'holiday calendar not loaded; keeping the last good one',
      );
    }
  };

  refresh();
  let checkedAt = now();
  return {
    current() {
      if (now() - checkedAt >= checkEveryMs) {
        checkedAt = now();
        refresh();
      }
      return calendar;
    },
  };
}

/** `mtime:size` of a file, `'missing'` when it cannot be stat'ed. */
function fileVersion(path: string): string {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
