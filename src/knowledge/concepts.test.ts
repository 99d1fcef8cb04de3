import { describe, expect, it } from 'vitest';
import { concepts } from './concepts.js';
import { canonicalSyllables, normalizeText } from './tokenize.js';

describe('concepts', () => {
  const heads = (zh: string, bo = ''): string[] =>
    concepts(
      normalizeText(zh),
      bo ? `\u0F0B${canonicalSyllables(bo).join('\u0F0B')}\u0F0B` : '',
    ).flatMap((c) => c.terms.filter((t) => t.weight === 1).map((t) => t.term));

  it('maps everyday situations to the policy concept, in both languages', () => {
    expect(heads('厂子关门了')).toContain('失业');
    expect(heads('包工头欠我工钱')).toEqual(expect.arrayContaining(['工资']));
    expect(heads('', 'ལས་ནས་ཕྱིར་བསྐྲད་བཏང་')).toContain(canonicalSyllables('ལས')[0]);
  });

  it('finds nothing in a text without everyday concept words', () => {
    expect(heads('今天天气怎么样')).toEqual([]);
  });
});
