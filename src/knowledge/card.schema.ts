import { z } from 'zod';
import { cleaned } from '../lib/clean-string.js';
import type { Lang } from '../messaging/lang.js';

/** Knowledge-base topic ids (DESIGN.md, "Knowledge base topics"); `none` is not a card topic. */
export const TOPICS = [
  'difficulty-identification',
  'unemployment-registration',
  'employment-registration',
  'unemployment-insurance',
  'public-welfare-jobs',
  'social-insurance-subsidy',
  'training-subsidy',
  'startup-loan',
  'startup-subsidy',
  'graduate-support',
  'disability-employment',
  'zero-employment-family',
  'labor-rights',
  'assistance-campaigns',
  'service-locations',
  'interview-prep',
  'resume-writing',
  'career-planning',
  'self-assessment',
  'job-search',
  'training-programs',
  'psychological-support',
  'job-alerts',
  'human-counsellor',
  'complaint',
] as const;

export type Topic = (typeof TOPICS)[number];

/**
 * What a card answers about its topic: how to do it, where, what to bring, who qualifies, how
 * much, how long, what it is. A question that asks one of these gets the topic's card that
 * answers it (src/knowledge/aspects.ts), not merely the one sharing the most words.
 */
export const ASPECTS = ['how', 'where', 'bring', 'who', 'amount', 'duration', 'what'] as const;
export type Aspect = (typeof ASPECTS)[number];
export type CardLang = Lang;

const HAN = /\p{Script=Han}/u;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const date = z
  .string()
  .regex(DATE, 'expected YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'not a real date',
  );
/** A review happened on a real day, not later than tomorrow (any time zone's today). */
const reviewDate = date.refine(
  (s) => Date.parse(`${s}T00:00:00Z`) <= Date.now() + 86_400_000,
  'review date is in the future',
);

/**
 * The longest text a card field may hold (UTF-16 units), per field: several times what the
 * longest reviewed card uses, and small enough that every card is indexed in milliseconds.
 */
export const CARD_LIMITS = {
  title: 200,
  short: 1_000,
  details: 6_000,
  where: 2_000,
  bring: 2_000,
  source: 1_000,
  keyword: 100,
  keywords: 100,
} as const;

/** Every card text is cleaned the one way stored text is (no NUL, bidi overrides, lone surrogates). */
const clean = cleaned;
const zhText = (max: number) => clean(z.string().trim().min(1).max(max));
const boText = (max: number) =>
  clean(
    z
      .string()
      .trim()
      .min(1)
      .max(max)
      .refine((s) => !HAN.test(s), 'Tibetan text contains Chinese characters'),
  );

const bilingual = (max: number) => z.object({ 'zh-CN': zhText(max), bo: boText(max) });

/** A reviewed policy card: one file `knowledge/cards/<id>.json`, both languages, with its source. */
export const cardSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'id must be lower-case letters, digits and dashes'),
  topic: z.enum(TOPICS),
  aspects: z.array(z.enum(ASPECTS)).optional(),
  region: z.enum(['national', 'tibet', 'lhasa']),
  reviewedAt: reviewDate,
  effectiveFrom: date.optional(),
  source: bilingual(CARD_LIMITS.source),
  title: bilingual(CARD_LIMITS.title),
  short: bilingual(CARD_LIMITS.short),
  details: bilingual(CARD_LIMITS.details),
  where: bilingual(CARD_LIMITS.where),
  /** The documents to bring, one per line (shown with "where to go"); cards without paperwork omit it. */
  bring: bilingual(CARD_LIMITS.bring).optional(),
  keywords: z
    .object({
      'zh-CN': z.array(zhText(CARD_LIMITS.keyword)).min(1).max(CARD_LIMITS.keywords),
      bo: z.array(boText(CARD_LIMITS.keyword)).min(1).max(CARD_LIMITS.keywords),
    })
    .strict(),
  flow: z
    .string()
    .regex(/^[a-z0-9-]+:[a-z0-9-]+$/, "flow must look like 'flow:node'")
    .optional(),
});
// Unknown keys are stripped rather than rejected so that a card with an extra field still loads;
// `npm run kb:check` reports them (CARD_KEYS) so typos such as "keyword" do not go unnoticed.

/** The keys a card may have, for kb:check. */
export const CARD_KEYS: ReadonlySet<string> = new Set(Object.keys(cardSchema.shape));

export type PolicyCard = z.infer<typeof cardSchema>;
