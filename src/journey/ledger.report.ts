import { Types, type Connection } from 'mongoose';
import { caseModels } from '../handoff/case.model.js';
import { LHASA_OFFSET_MS } from '../lib/lhasa-time.js';
import { messageModel } from '../messages/message.model.js';
import { personModels } from '../people/person.model.js';
import { LEDGER_CATEGORIES, type LedgerPersonDoc } from './ledger.queries.js';

/**
 * The ledger's monthly report (standard 7.2 and 8), for one month of Lhasa time (UTC+8):
 * - `served`: people seen in the month — their first contact (`createdAt`) or last contact
 *   (`lastSeenAt`) falls in it, or a line of their conversation log does (the log is kept
 *   RETENTION_MESSAGES_DAYS, so for older months only first and last contacts count);
 * - `new`: first contact in the month; `placed`: employment registered in the month;
 * - `byDistrict`, `byCategory`: the same three per district (every district of the glossary,
 *   plus any other value found) and per category (a person counts under each of theirs);
 *   `none` is "not given";
 * - `satisfaction`: ratings of the handoff cases closed in the month (average = sum / count);
 * - `complaints`: filed in the month, resolved in the month, and overdue — those whose answer
 *   deadline fell in the month (and has passed) without an answer by it (still open, or answered
 *   late).
 * Counting happens here, from projections of the month's people: FerretDB v1 has no reliable
 * `$group` sum of a field.
 */
export interface MonthlyReport {
  month: string;
  served: number;
  new: number;
  placed: number;
  byDistrict: Record<string, Bucket>;
  byCategory: Record<string, Bucket>;
  satisfaction: { rated: number; average: number | null };
  complaints: { filed: number; resolved: number; overdue: number };
}

export interface Bucket {
  served: number;
  new: number;
  placed: number;
}

/** The key of people without a district or a category. */
export const NONE = 'none';

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export interface MonthRange {
  start: Date;
  end: Date;
}

/** A `YYYY-MM` month of Lhasa time as UTC instants, `[start, end)`. */
export function lhasaMonthRange(month: string): MonthRange {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const at = (year: number, monthIndex: number) => {
    // setUTCFullYear: Date.UTC would read the years 0–99 as 1900–1999.
    const d = new Date(Date.UTC(2000, monthIndex, 1));
    d.setUTCFullYear(year + Math.floor(monthIndex / 12), monthIndex % 12, 1);
    return new Date(d.getTime() - LHASA_OFFSET_MS);
  };
  return { start: at(y, m - 1), end: at(y, m) };
}

/** The handoff's part of the report: satisfaction and complaints. */
export type HandoffMonthly = (
  month: string,
  range: MonthRange,
  now: Date,
) => Promise<Pick<MonthlyReport, 'satisfaction' | 'complaints'>>;

export function handoffMonthly(mongo: Connection): HandoffMonthly {
  const { Case, Complaint } = caseModels(mongo);
  return async (month, { start, end }, now) => {
    const dueUntil = new Date(Math.min(end.getTime(), now.getTime()));
    const [ratings, filed, resolved, due] = await Promise.all([
      Case.find({ closedMonth: month, rating: { $gte: 1 } }, { rating: 1 }).lean(),
      Complaint.countDocuments({ createdAt: { $gte: start, $lt: end } }),
      Complaint.countDocuments({ status: 'resolved', resolvedAt: { $gte: start, $lt: end } }),
      Complaint.find(
        { dueAt: { $gte: start, $lt: dueUntil } },
        { status: 1, dueAt: 1, resolvedAt: 1 },
      ).lean(),
    ]);
    const sum = ratings.reduce((s, c) => s + (c.rating ?? 0), 0);
    const overdue = due.filter(
      (c) => c.status === 'open' || (c.resolvedAt != null && c.resolvedAt > c.dueAt),
    ).length;
    return {
      satisfaction: {
        rated: ratings.length,
        average: ratings.length > 0 ? Math.round((sum / ratings.length) * 100) / 100 : null,
      },
      complaints: { filed, resolved, overdue },
    };
  };
}

type Seen = Pick<LedgerPersonDoc, '_id' | 'district' | 'categories'>;

/** The report for a month: people counted from the month's people, handoff numbers from cases. */
export function createMonthlyReport(deps: {
  mongo: Connection;
  /** The glossary's districts (each gets a row, even with nothing in it). */
  districts: readonly string[];
  cases?: HandoffMonthly | undefined;
}) {
  const { Person } = personModels(deps.mongo);
  const Message = messageModel(deps.mongo);
  const cases = deps.cases ?? handoffMonthly(deps.mongo);
  const PROJECTION = { district: 1, categories: 1, createdAt: 1, lastSeenAt: 1, employment: 1 };

  return async (month: string, now: Date): Promise<MonthlyReport> => {
    const range = lhasaMonthRange(month);
    const within = { $gte: range.start, $lt: range.end };
    const inMonth = (d: Date | null | undefined) =>
      d instanceof Date && d >= range.start && d < range.end;
    const tally = createTally(deps.districts);

    const logged = new Set(
      (await Message.distinct('personId', { at: within })).map((id) =>
        id instanceof Types.ObjectId ? id.toHexString() : String(id),
      ),
    );
    // The month's people (first contact, last contact, or placed in it), as a stream.
    const month$ = Person.find(
      { $or: [{ createdAt: within }, { lastSeenAt: within }, { 'employment.at': within }] },
      PROJECTION,
    )
      .lean<LedgerPersonDoc[]>()
      .cursor();
    for await (const p of month$) {
      const id = p._id.toHexString();
      const isNew = inMonth(p.createdAt);
      tally.add(p, {
        served: isNew || inMonth(p.lastSeenAt) || logged.has(id),
        new: isNew,
        placed: inMonth(p.employment?.at),
      });
      logged.delete(id);
    }
    // People who only wrote in the month (their first and last contacts fall outside it).
    const rest = [...logged].filter((id) => Types.ObjectId.isValid(id));
    for (let i = 0; i < rest.length; i += 500) {
      const chunk = rest.slice(i, i + 500).map((id) => new Types.ObjectId(id));
      const people = await Person.find(
        { _id: { $in: chunk } },
        { district: 1, categories: 1 },
      ).lean<Seen[]>();
      for (const p of people) tally.add(p, { served: true, new: false, placed: false });
    }

    return { month, ...tally.result(), ...(await cases(month, range, now)) };
  };
}

function createTally(districts: readonly string[]) {
  const zero = (): Bucket => ({ served: 0, new: 0, placed: 0 });
  const total = zero();
  // Maps, not objects: a district typed as `__proto__` stays a plain key.
  const byDistrict = new Map<string, Bucket>([...districts, NONE].map((d) => [d, zero()]));
  const byCategory = new Map<string, Bucket>([...LEDGER_CATEGORIES, NONE].map((c) => [c, zero()]));
  const plus = (b: Bucket, flags: Bucket) => {
    b.served += flags.served;
    b.new += flags.new;
    b.placed += flags.placed;
  };
  const bump = (map: Map<string, Bucket>, key: string, flags: Bucket) => {
    let b = map.get(key);
    if (!b) map.set(key, (b = zero()));
    plus(b, flags);
  };
  return {
    add(p: Seen, f: { served: boolean; new: boolean; placed: boolean }) {
      if (!f.served && !f.new && !f.placed) return;
      const flags: Bucket = { served: +f.served, new: +f.new, placed: +f.placed };
      plus(total, flags);
      bump(byDistrict, p.district || NONE, flags);
      const categories = [...new Set(p.categories ?? [])];
      if (categories.length === 0) bump(byCategory, NONE, flags);
      for (const c of categories) bump(byCategory, c, flags);
    },
    result() {
      return {
        ...total,
        byDistrict: Object.fromEntries(byDistrict),
        byCategory: Object.fromEntries(byCategory),
      };
    },
  };
}
