import type { Lang } from '../messaging/lang.js';

export interface CounsellorInfo {
  id: string;
  name: string;
  languages: Lang[];
}

/**
 * One named counsellor per person (standard 7.2(3)): their own when that counsellor speaks the
 * case's language and is still active; otherwise the least busy who speaks it (ties: by id, so
 * the choice is stable); null when nobody does (the case waits for the office to take it).
 */
export function chooseCounsellor(
  counsellors: readonly CounsellorInfo[],
  lang: Lang,
  own: string | null,
  load: ReadonlyMap<string, number>,
): CounsellorInfo | null {
  const speaks = counsellors.filter((c) => c.languages.includes(lang));
  const mine = own ? speaks.find((c) => c.id === own) : undefined;
  if (mine) return mine;
  let best: CounsellorInfo | null = null;
  for (const c of speaks) {
    if (!best) best = c;
    else {
      const a = load.get(c.id) ?? 0;
      const b = load.get(best.id) ?? 0;
      if (a < b || (a === b && c.id < best.id)) best = c;
    }
  }
  return best;
}
