import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../engine/flows.js';
import { step, type SessionState } from '../engine/step.js';
import { createTranslator } from '../i18n.js';
import {
  describeAssessment,
  MIN_ANSWERS,
  QUESTION_TYPE,
  RIASEC,
  scoreAssessment,
  type RiasecType,
} from './assessment.js';

const QUESTIONS = Array.from({ length: 12 }, (_, i) => `q${i + 1}`);
const translator = createTranslator(fileURLToPath(new URL('../../locales', import.meta.url)));
const t = (lang: 'zh-CN' | 'bo', key: string) => translator.t(lang, key);

/** Answers every question with `fallback`, except the types given their own value. */
function answersBy(
  byType: Partial<Record<RiasecType, string>>,
  fallback = '0',
): Record<string, string> {
  return Object.fromEntries(QUESTIONS.map((q) => [q, byType[QUESTION_TYPE[q]!] ?? fallback]));
}

describe('QUESTION_TYPE', () => {
  it('maps q1..q12 to the six types, two questions each', () => {
    expect(Object.keys(QUESTION_TYPE)).toEqual(QUESTIONS);
    for (const type of RIASEC)
      expect(Object.values(QUESTION_TYPE).filter((v) => v === type)).toHaveLength(2);
  });
});

describe('scoreAssessment', () => {
  it('names a clear winner first and the runner-up second', () => {
    const r = scoreAssessment(answersBy({ S: '2', C: '1' }));
    expect(r).toEqual({
      types: ['S', 'C'],
      scores: { R: 0, I: 0, A: 0, S: 4, E: 0, C: 2 },
    });
  });

  it('adds the two questions of a type', () => {
    const r = scoreAssessment({ ...answersBy({}), q1: '2', q7: '1', q5: '2' });
    expect(r?.scores.R).toBe(3);
    expect(r?.types).toEqual(['R', 'E']);
  });

  it('breaks ties by the RIASEC order', () => {
    expect(scoreAssessment(answersBy({}, '1'))?.types).toEqual(['R', 'I']);
    expect(scoreAssessment(answersBy({ C: '2', A: '2', E: '2' }))?.types).toEqual(['A', 'E']);
    // Tie for second place only.
    expect(scoreAssessment(answersBy({ S: '2', C: '1', I: '1' }))?.types).toEqual(['S', 'I']);
  });

  it('gives one type when only one scored above 0', () => {
    expect(scoreAssessment(answersBy({ E: '1' }))).toEqual({
      types: ['E'],
      scores: { R: 0, I: 0, A: 0, S: 0, E: 2, C: 0 },
    });
  });

  it('returns null when nothing scored above 0', () => {
    expect(scoreAssessment(answersBy({}))).toBeNull();
  });

  it(`returns null with fewer than ${MIN_ANSWERS} answers, and scores from ${MIN_ANSWERS} on`, () => {
    const seven = Object.fromEntries(QUESTIONS.slice(0, 7).map((q) => [q, '2']));
    expect(scoreAssessment(seven)).toBeNull();
    expect(scoreAssessment({})).toBeNull();
    const eight = Object.fromEntries(QUESTIONS.slice(0, 8).map((q) => [q, '2']));
    expect(scoreAssessment(eight)?.types).toEqual(['R', 'I']);
  });

  it('ignores values other than 0, 1 and 2, and does not count them as answered', () => {
    const hostile: Record<string, string> = {
      q1: '99',
      q2: '-1',
      q3: ' 2',
      q4: '2.0',
      q5: '',
      q6: 'NaN',
      q7: '1e3',
      q8: '0x2',
    };
    expect(scoreAssessment(hostile)).toBeNull();
    // Seven good answers and one bad one are still too few.
    const r = scoreAssessment({ ...answersBy({ A: '2' }), q12: '99' });
    expect(r?.scores.C).toBe(0);
    expect(
      scoreAssessment({
        ...Object.fromEntries(QUESTIONS.slice(0, 7).map((q) => [q, '2'])),
        q8: '3',
      }),
    ).toBeNull();
    // Values that are not strings at all (the type says string; the session is outside data).
    expect(
      scoreAssessment({ ...answersBy({ R: '2' }), q3: 2 as unknown as string })?.types,
    ).toEqual(['R']);
  });

  it('ignores unknown and inherited question ids', () => {
    const hostile = JSON.parse(
      '{"__proto__": "2", "constructor": "2", "toString": "2", "q13": "2", "Q1": "2", "q01": "2", "hasOwnProperty": "2", "q0": "2"}',
    ) as Record<string, string>;
    expect(scoreAssessment(hostile)).toBeNull();
    const mixed = { ...hostile, ...answersBy({ I: '2' }) };
    expect(scoreAssessment(mixed)).toEqual({
      types: ['I'],
      scores: { R: 0, I: 4, A: 0, S: 0, E: 0, C: 0 },
    });
    // An object with no prototype works too.
    const bare = Object.assign(
      Object.create(null) as Record<string, string>,
      answersBy({ C: '1' }),
    );
    expect(scoreAssessment(bare)?.types).toEqual(['C']);
  });
});

describe('describeAssessment', () => {
  it('has every text it uses in both languages', () => {
    const keys = [
      'assess:result.head',
      'assess:result.closing',
      'assess:result.saved',
      'assess:result.notSaved',
      'assess:result.tooFew',
      ...RIASEC.flatMap((r) => [`assess:result.type.${r}`, `assess:result.families.${r}`]),
    ];
    for (const lang of ['zh-CN', 'bo'] as const)
      expect(
        keys.filter((k) => !translator.has(lang, k)),
        lang,
      ).toEqual([]);
  });

  it('writes the head, each type with its job families, and the closing line (zh-CN)', () => {
    const text = describeAssessment(['S', 'R'], 'zh-CN', t);
    expect(text.startsWith('您的测评结果：')).toBe(true);
    expect(text).toContain(t('zh-CN', 'assess:result.type.S'));
    expect(text).toContain(t('zh-CN', 'assess:result.families.S'));
    expect(text).toContain('护理');
    expect(text).toContain('司机');
    expect(text.indexOf(t('zh-CN', 'assess:result.type.S'))).toBeLessThan(
      text.indexOf(t('zh-CN', 'assess:result.type.R')),
    );
    expect(text.endsWith(t('zh-CN', 'assess:result.closing'))).toBe(true);
    expect(text).not.toContain('assess:');
    expect(text).not.toContain(t('zh-CN', 'assess:result.type.E'));
  });

  it('writes the same message in Tibetan, with no Chinese in it', () => {
    const text = describeAssessment(['A', 'C'], 'bo', t);
    expect(text.startsWith(t('bo', 'assess:result.head'))).toBe(true);
    for (const key of ['type.A', 'families.A', 'type.C', 'families.C', 'closing'])
      expect(text).toContain(t('bo', `assess:result.${key}`));
    expect(text).toContain('ཐང་ཀ');
    expect(text).not.toMatch(/\p{Script=Han}/u);
    expect(text).not.toContain('assess:');
  });

  it('describes one type, and skips unknown ones', () => {
    const one = describeAssessment(['E'], 'zh-CN', t);
    expect(one).toContain(t('zh-CN', 'assess:result.families.E'));
    const hostile = describeAssessment(['X' as RiasecType, 'I'], 'zh-CN', t);
    expect(hostile).toContain(t('zh-CN', 'assess:result.type.I'));
    expect(hostile).not.toContain('undefined');
    expect(hostile).not.toContain('assess:');
  });
});

describe('flows/assess.json', () => {
  const flows = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)));

  it('loads with the real flow loader and routes from start', () => {
    expect(flows.flows.get('assess')?.version).toBe(1);
    expect(flows.node('assess:start')).toEqual({ say: [], route: 'assess' });
    expect(flows.node('main:menu')?.choices?.some((c) => c.next === 'assess:start')).toBe(true);
    const intro = flows.node('assess:intro');
    expect(intro?.say).toEqual(['assess:intro']);
    expect(intro?.choices?.map((c) => [c.id, c.next])).toEqual([
      ['begin', 'q1'],
      ['menu', 'main:menu'],
    ]);
  });

  it('asks q1..q12 with yes/some/no/later and records 2/1/0', () => {
    for (const [i, q] of QUESTIONS.entries()) {
      const node = flows.node(`assess:${q}`);
      const next = i === QUESTIONS.length - 1 ? 'result' : `q${i + 2}`;
      expect(node?.say, q).toEqual([`assess:q.${q}`]);
      expect(node?.choices, q).toEqual([
        {
          id: 'yes',
          label: 'assess:answer.yes',
          next,
          effects: [{ type: 'answer', q, value: '2' }],
        },
        {
          id: 'some',
          label: 'assess:answer.some',
          next,
          effects: [{ type: 'answer', q, value: '1' }],
        },
        { id: 'no', label: 'assess:answer.no', next, effects: [{ type: 'answer', q, value: '0' }] },
        { id: 'later', label: 'assess:answer.later', next: 'main:menu' },
      ]);
      // Every question scores for a type, and its text shows where the person is.
      expect(QUESTION_TYPE[q], q).toBeDefined();
      for (const lang of ['zh-CN', 'bo'] as const)
        expect(t(lang, `assess:q.${q}`), `${lang} ${q}`).toMatch(
          new RegExp(`^[（(]${i + 1}/12[）)]`),
        );
    }
  });

  it('ends on the result node, which runs the assessment step', () => {
    const result = flows.node('assess:result');
    expect(result?.say).toEqual([]);
    expect(result?.effects).toEqual([{ type: 'journey', action: 'assessment' }]);
    expect(result?.choices?.map((c) => [c.id, c.label, c.next])).toEqual([
      ['intake', 'assess:choice.intake', 'intake:start'],
      ['human', 'common:choice.human', 'main:human'],
      ['menu', 'common:choice.menu', 'main:menu'],
    ]);
  });

  it('walked through with the engine, collects answers that score', () => {
    const picks = ['no', 'yes', 'no', 'some', 'no', 'no', 'no', 'yes', 'no', 'some', 'no', 'no'];
    let state: SessionState = { v: 1, at: 'assess:intro', lang: 'bo', updatedAt: 0 };
    state = step(flows, state, { kind: 'choice', id: 'assess:intro#begin' }, { now: 1 }).state;
    expect(state.at).toBe('assess:q1');
    let last: ReturnType<typeof step> | undefined;
    for (const [i, pick] of picks.entries()) {
      last = step(flows, state, { kind: 'choice', id: `assess:q${i + 1}#${pick}` }, { now: 2 });
      state = last.state;
    }
    expect(state.at).toBe('assess:result');
    expect(last?.effects).toContainEqual({ type: 'journey', action: 'assessment' });
    expect(scoreAssessment(state.answers ?? {})).toEqual({
      types: ['I', 'S'],
      scores: { R: 0, I: 4, A: 0, S: 2, E: 0, C: 0 },
    });
    // "Later" leaves for the menu and records nothing.
    const later = step(
      flows,
      { ...state, at: 'assess:q3', answers: {} },
      { kind: 'choice', id: 'assess:q3#later' },
      { now: 3 },
    );
    expect(later.state.at).toBe('main:menu');
    expect(later.state.answers).toEqual({});
  });

  it('uses only keys that exist in both languages', () => {
    const keys = flows.keys().filter((k) => k.startsWith('assess:'));
    expect(keys.length).toBeGreaterThan(15);
    for (const lang of ['zh-CN', 'bo'] as const)
      expect(
        keys.filter((k) => !translator.has(lang, k)),
        lang,
      ).toEqual([]);
  });
});
