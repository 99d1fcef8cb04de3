import type { Connection, Types } from 'mongoose';
import type { Sealer } from '../lib/sealed.js';
import { personModels } from '../people/person.model.js';
import { SENSITIVE_FIELDS, sealContext, type SensitiveField } from './profile.service.js';

export interface RotateReport {
  /** Values sealed again under the current key. */
  resealed: number;
  /** Values already under the current key. */
  current: number;
  /** Values no configured key opens (an old key left out of DATA_KEY too early): left as they are. */
  unreadable: number;
}

/**
 * `npm run data:rotate`: every sensitive value not sealed with DATA_KEY's first key is opened
 * with the key that sealed it (still listed in DATA_KEY) and sealed again with the first. Safe to
 * run again (and while the service runs: a value written meanwhile is already current). After
 * it reports no unreadable values, the old key can leave DATA_KEY.
 */
export async function rotateSealed(
  conn: Connection,
  sealer: Sealer,
  batch = 500,
): Promise<RotateReport> {
  const { Person } = personModels(conn);
  const report: RotateReport = { resealed: 0, current: 0, unreadable: 0 };
  let after: Types.ObjectId | undefined;
  for (;;) {
    const page = await Person.find(
      { sensitive: { $exists: true }, ...(after ? { _id: { $gt: after } } : {}) },
      { sensitive: 1 },
    )
      .sort({ _id: 1 })
      .limit(batch)
      .lean();
    if (page.length === 0) return report;
    for (const doc of page) {
      const id = doc._id.toHexString();
      const $set: Record<string, string> = {};
      for (const f of SENSITIVE_FIELDS) {
        const sealed = doc.sensitive?.[f];
        if (!sealed) continue;
        if (sealer.isCurrent(sealed)) {
          report.current++;
          continue;
        }
        const plain = sealer.open(sealed, sealContext(id, f));
        if (plain === null) {
          report.unreadable++;
          continue;
        }
        $set[`sensitive.${f}`] = sealer.seal(plain, sealContext(id, f));
        report.resealed++;
      }
      if (Object.keys($set).length === 0) continue;
      // Only if unchanged since read: a value the service wrote meanwhile stays as written.
      const unchanged: Record<string, string | undefined> = {};
      for (const key of Object.keys($set))
        unchanged[key] = doc.sensitive?.[key.slice('sensitive.'.length) as SensitiveField];
      await Person.updateOne({ _id: doc._id, ...unchanged }, { $set });
    }
    after = page.at(-1)?._id;
  }
}
