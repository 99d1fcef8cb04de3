import { Types, type Connection } from 'mongoose';
import { personModels, type PersonDoc } from '../people/person.model.js';

/**
 * The ledger (台账, standard 7.2(1)): the people the service helps, paged for the admin API and
 * its CSV export. Only what both MongoDB 7 and FerretDB v1 serve: equality and range filters,
 * `$ne: null`, sort and limit on `_id`; counting is done here, not in aggregation.
 */

/**
 * Where a person stands, derived (never stored), the first that holds:
 * `placed` — an employment registration (`employment.at`);
 * `profiled` — the intake finished (`profile.intakeDoneAt`);
 * `registered` — profile consent given, intake not finished;
 * `new` — no profile consent (never given, or withdrawn).
 */
export const LEDGER_STATUSES = ['new', 'registered', 'profiled', 'placed'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** The assistance categories (standard's groups of people with employment difficulties). */
export const LEDGER_CATEGORIES = [
  'older',
  'graduate',
  'zero-employment-family',
  'long-unemployed',
  'low-income',
] as const;

/** An employment registration (7.2(6)); another issue adds it to the person. */
export interface EmploymentDoc {
  at?: Date | null;
  employer?: string | null;
  work?: string | null;
}

/** A person as the ledger reads one (employment is optional until that issue lands). */
export type LedgerPersonDoc = PersonDoc & { employment?: EmploymentDoc | null };

export interface LedgerFilter {
  district?: string | undefined;
  category?: string | undefined;
  status?: LedgerStatus | undefined;
}

/** One page of people, newest first, with each one's channels. */
export interface LedgerPage {
  docs: LedgerPersonDoc[];
  channels: Map<string, string[]>;
  nextCursor: string | null;
}

export function statusOf(doc: LedgerPersonDoc): LedgerStatus {
  if (doc.employment?.at) return 'placed';
  if (doc.profile?.intakeDoneAt) return 'profiled';
  if (doc.consent?.profile) return 'registered';
  return 'new';
}

/** The same order as `statusOf`: each status excludes the ones before it. */
const STATUS_FILTER: Readonly<Record<LedgerStatus, Record<string, unknown>>> = {
  placed: { 'employment.at': { $ne: null } },
  profiled: { 'employment.at': null, 'profile.intakeDoneAt': { $ne: null } },
  registered: {
    'employment.at': null,
    'profile.intakeDoneAt': null,
    'consent.profile': { $ne: null },
  },
  new: { 'employment.at': null, 'profile.intakeDoneAt': null, 'consent.profile': null },
};

export function ledgerFilter(f: LedgerFilter): Record<string, unknown> {
  return {
    ...(f.district !== undefined ? { district: f.district } : {}),
    ...(f.category !== undefined ? { categories: f.category } : {}),
    ...(f.status ? STATUS_FILTER[f.status] : {}),
  };
}

export type LedgerQueries = ReturnType<typeof createLedgerQueries>;

export function createLedgerQueries(mongo: Connection) {
  const { Person, Identity } = personModels(mongo);

  /** Each person's channels (`wechat`, `web`, …), from their identities. */
  async function channelsOf(docs: LedgerPersonDoc[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(docs.map((d) => [d._id.toHexString(), []]));
    if (docs.length === 0) return out;
    const ids = await Identity.find(
      { personId: { $in: docs.map((d) => d._id) } },
      { personId: 1, channel: 1 },
    ).lean();
    for (const i of ids) {
      const list = out.get(i.personId.toHexString());
      if (list && !list.includes(i.channel)) list.push(i.channel);
    }
    for (const list of out.values()) list.sort();
    return out;
  }

  async function page(f: LedgerFilter, limit: number, cursor?: string): Promise<LedgerPage> {
    const filter = ledgerFilter(f);
    // Newest first by id (ids grow with creation time); the cursor is the last id seen.
    if (cursor) filter._id = { $lt: new Types.ObjectId(cursor) };
    const found = await Person.find(filter)
      .sort({ _id: -1 })
      .limit(limit + 1)
      .lean<LedgerPersonDoc[]>();
    const docs = found.slice(0, limit);
    const last = docs.at(-1);
    return {
      docs,
      channels: await channelsOf(docs),
      nextCursor: found.length > limit && last ? last._id.toHexString() : null,
    };
  }

  return {
    page,
    async get(id: string): Promise<{ doc: LedgerPersonDoc; channels: string[] } | null> {
      if (!/^[0-9a-f]{24}$/i.test(id)) return null;
      const doc = await Person.findById(id).lean<LedgerPersonDoc>();
      if (!doc) return null;
      return { doc, channels: (await channelsOf([doc])).get(doc._id.toHexString()) ?? [] };
    },
    count: (f: LedgerFilter) => Person.countDocuments(ledgerFilter(f)),
    /** Every matching person, in pages of `size` (an export never holds more than one page). */
    async *all(f: LedgerFilter, size = 500): AsyncGenerator<LedgerPage> {
      let cursor: string | undefined;
      for (;;) {
        const p = await page(f, size, cursor);
        if (p.docs.length > 0) yield p;
        if (!p.nextCursor) return;
        cursor = p.nextCursor;
      }
    },
  };
}
