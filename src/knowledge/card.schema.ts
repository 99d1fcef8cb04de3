import { z } from 'zod';

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
export type CardLang = 'zh-CN' | 'bo';

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

const zhText = z.string().trim().min(1);
const boText = z
  .string()
  .trim()
  .min(1)
  .refine((s) => !HAN.test(s), 'Tibetan text contains Chinese characters');

const bilingual = z.object({ 'zh-CN': zhText, bo: boText });

/** A reviewed policy card: one file `knowledge/cards/<id>.json`, both languages, with its source. */
export const cardSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'id must be lower-case letters, digits and dashes'),
  topic: z.enum(TOPICS),
  aspects: z.array(z.enum(ASPECTS)).optional(),
  region: z.enum(['national', 'tibet', 'lhasa']),
  reviewedAt: date,
  effectiveFrom: date.optional(),
  source: bilingual,
  title: bilingual,
  short: bilingual,
  details: bilingual,
  where: bilingual,
  /** The documents to bring, one per line (shown with "where to go"); cards without paperwork omit it. */
  bring: bilingual.optional(),
  keywords: z.object({ 'zh-CN': z.array(zhText).min(1), bo: z.array(boText).min(1) }).strict(),
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
