import type { RiasecType } from '../journey/assessment.js';
import type { JobDoc } from './job.model.js';
import { districtOf, keywordHits, postingTerms, workKeywordsOf } from './terms.js';

/**
 * The kinds of work (knowledge/jobs/variants.json groups) that suit each self-assessment type,
 * as the assessment's own result lists them (locales/…/assess.json `result.families`).
 */
export const TYPE_GROUPS: Readonly<Record<RiasecType, readonly string[]>> = {
  R: [
    'driver',
    'maintenance',
    'auto-repair',
    'construction',
    'renovation',
    'electrician',
    'welder',
    'security',
    'farming',
    'herding',
  ],
  I: ['farming', 'maintenance', 'electrician'],
  A: ['handicraft', 'sewing', 'kitchen', 'hairdressing'],
  S: [
    'care-worker',
    'domestic',
    'childcare',
    'public-welfare',
    'teaching',
    'waiter',
    'customer-service',
  ],
  E: ['sales', 'ecommerce', 'tour-guide', 'reception'],
  C: ['cashier', 'warehouse', 'stocker', 'clerk', 'courier', 'accounting'],
};

/** What recommendations are based on: the person's words, place and assessment. */
export interface RecommendBasis {
  /** Keywords of their subscriptions, and of the work they said they want (intake). */
  keywords: string[];
  /** Their district (profile or a subscription's filter), Chinese name. */
  districts: string[];
  /** Their self-assessment's strongest types. */
  types: RiasecType[];
}

/** Why a posting is recommended: keywords it matches, its district, an assessment type. */
export interface Reason {
  kind: 'keyword' | 'district' | 'type';
  value: string;
}

export interface Recommendation {
  job: JobDoc;
  reasons: Reason[];
  score: number;
}

/** How many recommendations one answer shows. */
export const RECOMMEND_MAX = 5;

/** The basis from a profile's free-text answers and the person's subscriptions. */
export function basisOf(input: {
  wantedWork?: string | undefined;
  skills?: string | undefined;
  district?: string | null | undefined;
  types?: readonly RiasecType[] | undefined;
  subscriptions: readonly { keywords: readonly string[]; district: string | null }[];
}): RecommendBasis {
  const keywords = new Set<string>();
  for (const s of input.subscriptions) for (const k of s.keywords) keywords.add(k);
  for (const text of [input.wantedWork, input.skills])
    if (text) for (const k of workKeywordsOf(text)) keywords.add(k);
  const districts = new Set<string>();
  const own = districtOf(input.district);
  if (own) districts.add(own);
  for (const s of input.subscriptions) if (s.district) districts.add(s.district);
  return { keywords: [...keywords], districts: [...districts], types: [...(input.types ?? [])] };
}

/**
 * The open postings that best fit the basis, best first, each with its reasons: a keyword hit
 * weighs most, then a kind of work their assessment suits, then their district (a posting in
 * their district alone is not recommended when they named work). Newest first among equals.
 */
export function recommend(
  basis: RecommendBasis,
  postings: readonly JobDoc[],
  max = RECOMMEND_MAX,
): Recommendation[] {
  const named = basis.keywords.length > 0 || basis.types.length > 0;
  const out: Recommendation[] = [];
  for (const job of postings) {
    const terms = postingTerms({
      title: job.title,
      description: job.description,
      category: job.category ?? null,
    });
    const reasons: Reason[] = [];
    let score = 0;
    const hits = keywordHits(basis.keywords, terms);
    for (const k of hits) reasons.push({ kind: 'keyword', value: k });
    score += hits.length > 0 ? 10 + hits.length : 0;
    const suited = basis.types.find((type) =>
      TYPE_GROUPS[type].some((g) => terms.includes(`g:${g}`)),
    );
    if (suited && hits.length === 0) {
      reasons.push({ kind: 'type', value: suited });
      score += 5;
    }
    if (basis.districts.includes(job.district)) {
      reasons.push({ kind: 'district', value: job.district });
      score += 2;
    }
    if (score === 0 || (named && score <= 2)) continue;
    out.push({ job, reasons, score });
  }
  // Stable: postings come newest first, and stay so among equals.
  return out.sort((a, b) => b.score - a.score).slice(0, max);
}
