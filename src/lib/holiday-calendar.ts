// The holiday calendar (calendar/holidays.json): public holidays, Tibet's regional ones and
// China's make-up working days, validated, and followed live when an administrator edits it.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';

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
