import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Lang } from '../messaging/lang.js';

/** A rubric: how long a spoken answer of about a minute is, and the points a good one covers. */
export const rubricSchema = z.object({
  /** reading units (Chinese characters, Tibetan syllables) */
  min: z.number().int().positive(),
  max: z.number().int().positive(),
  /** the answer is itself questions: a question typed here is an answer, not a policy question */
  questionsAreAnswers: z.boolean().optional(),
  /** point id → words that show it, per language */
  points: z.record(
    z.string().regex(/^[a-zA-Z]+$/),
    z.object({ 'zh-CN': z.array(z.string().min(1)), bo: z.array(z.string().min(1)) }),
  ),
});
export type Rubric = z.infer<typeof rubricSchema>;

/** knowledge/coaching/*.json: rubric id → rubric (keys starting with `_` are comments). */
export const rubricsSchema = z
  .record(z.string(), z.unknown())
  .transform((raw) => Object.entries(raw).filter(([id]) => !id.startsWith('_')))
  .pipe(z.array(z.tuple([z.string().regex(/^[a-z0-9-]+$/), rubricSchema])))
  .transform((entries) => new Map(entries));

/** What the person's answer did, for feedback in their language (locales interview:coach.*). */
export interface Coaching {
  /** reading units written */
  count: number;
  length: 'short' | 'long' | 'ok';
  /** a concrete example: a number, a time span, "for example", "once" */
  example: boolean;
  covered: string[];
  missing: string[];
}

const HAN = /\p{Script=Han}/gu;
const TIBETAN_SYLLABLE = /[\u0F40-\u0FBC]+/gu;
/** A number with a unit, a time span or a "for example": signs of a concrete story. */
const ZH_EXAMPLE =
  /[0-9０-９一二三四五六七八九十两几半]+\s*(?:年|个月|月|天|次|岁|元|块|个|人|份|斤|小时)|比如|例如|有一次|那次|曾经|当时|后来/u;
const BO_EXAMPLE = /[0-9༠-༩]|དཔེར་ན|ཐེངས་གཅིག|ལོ་[^\s]{0,12}རིང|དེ་དུས|སྔོན་ཆད/u;

/** Feedback on what was actually written: its length, a concrete example, the points covered. */
export function coachAnswer(rubric: Rubric, text: string, lang: Lang): Coaching {
  const folded = text.normalize('NFC').toLowerCase();
  const count = (folded.match(HAN)?.length ?? 0) + (folded.match(TIBETAN_SYLLABLE)?.length ?? 0);
  const covered: string[] = [];
  const missing: string[] = [];
  for (const [id, words] of Object.entries(rubric.points)) {
    // Either language's words count: people mix them.
    const hit = [...words['zh-CN'], ...words.bo].some((w) => folded.includes(w.normalize('NFC')));
    (hit ? covered : missing).push(id);
  }
  return {
    count,
    length: count < rubric.min ? 'short' : count > rubric.max ? 'long' : 'ok',
    example: (lang === 'bo' ? BO_EXAMPLE : ZH_EXAMPLE).test(folded) || ZH_EXAMPLE.test(folded),
    covered,
    missing,
  };
}

/** knowledge/coaching/*.json, validated (a bad file stops start-up, like a bad flow). */
export function loadRubrics(dir: string): ReadonlyMap<string, Rubric> {
  const out = new Map<string, Rubric>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort())
    for (const [id, rubric] of rubricsSchema.parse(
      JSON.parse(readFileSync(join(dir, file), 'utf8')),
    ))
      out.set(id, rubric);
  return out;
}
