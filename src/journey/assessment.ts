/**
 * The self-assessment (素质测评, standard 6): twelve everyday-activity questions (flows/assess.json,
 * texts in locales/<lang>/assess.json), two for each Holland RIASEC interest type. The flow keeps
 * each answer in the session ('2' like, '1' so-so, '0' dislike); this module turns the answers into
 * the strongest types and the result message. No I/O: the conversation layer stores the result.
 */

/** Holland's six interest types, in the fixed order that also breaks ties. */
export const RIASEC = ['R', 'I', 'A', 'S', 'E', 'C'] as const;
export type RiasecType = (typeof RIASEC)[number];

/**
 * Which type each question measures. The types take turns (q1 R, q2 I … q6 C, q7 R … q12 C) so
 * that neighbouring questions ask about different things.
 */
export const QUESTION_TYPE: Readonly<Record<string, RiasecType>> = Object.freeze({
  q1: 'R',
  q2: 'I',
  q3: 'A',
  q4: 'S',
  q5: 'E',
  q6: 'C',
  q7: 'R',
  q8: 'I',
  q9: 'A',
  q10: 'S',
  q11: 'E',
  q12: 'C',
});

/** Fewer answered questions than this say too little to name a type. */
export const MIN_ANSWERS = 8;

/** The only answer values that score; anything else (hostile or stale input) is ignored. */
const POINTS: ReadonlyMap<string, number> = new Map([
  ['0', 0],
  ['1', 1],
  ['2', 2],
]);

/** Question id → type, as a Map: no inherited keys (`__proto__`, `constructor`) can match. */
const TYPE_OF: ReadonlyMap<string, RiasecType> = new Map(Object.entries(QUESTION_TYPE));

export interface AssessmentResult {
  /** The strongest types, strongest first: two, or one when only one type scored above 0. */
  types: RiasecType[];
  /** Points per type (0–4 with two questions per type). */
  scores: Record<RiasecType, number>;
}

/**
 * Scores the session's answers (question id → '0' | '1' | '2'). Returns null when fewer than
 * {@link MIN_ANSWERS} questions were answered or no type scored above 0. Unknown question ids and
 * values are ignored. Ties are broken by the fixed RIASEC order.
 */
export function scoreAssessment(
  answers: Readonly<Record<string, string>>,
): AssessmentResult | null {
  const scores: Record<RiasecType, number> = { R: 0, I: 0, A: 0, S: 0, E: 0, C: 0 };
  let answered = 0;
  for (const [q, type] of TYPE_OF) {
    if (!Object.hasOwn(answers, q)) continue;
    const value: unknown = answers[q];
    const points = typeof value === 'string' ? POINTS.get(value) : undefined;
    if (points === undefined) continue;
    answered += 1;
    scores[type] += points;
  }
  if (answered < MIN_ANSWERS) return null;
  // Array.prototype.sort is stable, so equal scores keep the RIASEC order.
  const types = RIASEC.filter((t) => scores[t] > 0)
    .sort((a, b) => scores[b] - scores[a])
    .slice(0, 2);
  return types.length === 0 ? null : { types, scores };
}

/**
 * The result as one message in `lang`: the heading, then for each type its sentence and its job
 * families, then the closing line (only a guide; a counsellor can talk it through). Whether the
 * result was saved (`assess:result.saved` / `notSaved`) is for the caller to add.
 */
export function describeAssessment(
  types: readonly RiasecType[],
  lang: 'zh-CN' | 'bo',
  t: (lang: 'zh-CN' | 'bo', key: string) => string,
): string {
  const known = RIASEC.filter((r) => types.includes(r)).sort(
    (a, b) => types.indexOf(a) - types.indexOf(b),
  );
  const blocks = known.map(
    (type) =>
      `${t(lang, `assess:result.type.${type}`)}\n${t(lang, `assess:result.families.${type}`)}`,
  );
  return [t(lang, 'assess:result.head'), ...blocks, t(lang, 'assess:result.closing')].join('\n\n');
}
