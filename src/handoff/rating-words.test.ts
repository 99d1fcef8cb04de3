import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glossarySchema } from '../glossary.js';
import { ratingWords } from './rating-words.js';

const glossary = glossarySchema.parse(
  JSON.parse(readFileSync(new URL('../../locales/glossary.json', import.meta.url), 'utf8')),
);
const ratingOf = ratingWords(glossary.answers.rating);

describe('a score typed in words', () => {
  it('reads the glossary words of both languages as their score', () => {
    expect(ratingOf('很满意！')).toBe(5);
    expect(ratingOf('满意')).toBe(4);
    expect(ratingOf('一般')).toBe(3);
    expect(ratingOf('不满意')).toBe(2);
    expect(ratingOf('很不满意')).toBe(1);
    expect(ratingOf('ཧ་ཅང་ཡག་པོ་འདུག།')).toBe(5);
    expect(ratingOf('ཡག་པོ་འདུག')).toBe(4);
    expect(ratingOf('ཡིད་མི་ཚིམ།')).toBe(2);
  });

  it('reads only a whole message (a comment is not a score)', () => {
    expect(ratingOf('满意，但是等太久了')).toBeUndefined();
    expect(ratingOf('失业金怎么领')).toBeUndefined();
  });

  it('gives each word one score', () => {
    const seen = new Map<string, string>();
    for (const [score, byLang] of Object.entries(glossary.answers.rating))
      for (const w of Object.values(byLang ?? {}).flat()) {
        expect(seen.get(w), w).toBeUndefined();
        seen.set(w, score);
      }
    expect(seen.size).toBeGreaterThan(20);
  });
});
