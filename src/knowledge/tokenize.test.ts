import { describe, expect, it } from 'vitest';
import { canonicalSyllables, fold, normalizeText, stemSyllable, tokenize } from './tokenize.js';

const terms = (text: string): string[] => tokenize(text).map((t) => t.term);

describe('fold and normalizeText', () => {
  it('removes zero-width and control characters, folds full-width ASCII and case', () => {
    expect(fold('ＡＢＣ\u200B１２３３３')).toBe('abc12333');
    expect(fold('a\u0007b')).toBe('a b');
    expect(fold('Ｈｅｌｌｏ　Ｗｏｒｌｄ')).toBe('hello world');
  });

  it('composes to NFC, so Tibetan typed from different keyboards meets', () => {
    // U+0F73 is decomposed by NFC into U+0F71 U+0F72; both spellings end up the same.
    expect(fold('ཀ\u0F73')).toBe(fold('ཀ\u0F71\u0F72'));
    expect(terms('ཀ\u0F73་ལས')).toEqual(terms('ཀ\u0F71\u0F72་ལས'));
  });

  it('corrects common Chinese typos on both sides', () => {
    expect(normalizeText('明天面视要注意什么')).toContain('面试');
    expect(normalizeText('简力怎么写')).toContain('简历');
    expect(normalizeText('失业进能领多久')).toContain('失业保险金'); // typo, then synonym
  });

  it('rewrites synonyms to one form', () => {
    expect(normalizeText('社保补贴')).toBe('社会保险补贴');
    expect(normalizeText('公益岗')).toBe('公益性岗位');
    expect(canonicalSyllables('ལས་མེད་ཐོ་འགོད')).toEqual(canonicalSyllables('ལས་ཤོར་ཐོ་འགོད'));
    // Three syllables ("relief money" for the unemployment benefit).
    expect(canonicalSyllables('ལས་མེད་གསོ་སྐྱོང་དངུལ་ལེན')).toEqual(
      canonicalSyllables('ལས་མེད་ཉེན་འགོག་དངུལ་ལེན'),
    );
  });
});

describe('Chinese terms', () => {
  it('gives dictionary words and character bigrams, without stop-words', () => {
    const t = terms('我想了解公益性岗位怎么申请');
    expect(t).toEqual(expect.arrayContaining(['公益', '岗位', '申请', '益性', '性岗']));
    expect(t).not.toContain('我');
    expect(t).not.toContain('怎么');
  });

  it('bigrams cover what the segmenter splits badly (社保)', () => {
    expect(terms('灵活就业交社保')).toContain('社会');
  });

  it('weights bigrams below words', () => {
    const byTerm = new Map(tokenize('失业登记').map((t) => [t.term, t.weight]));
    expect(byTerm.get('业登')).toBeLessThan(1);
  });
});

describe('Tibetan terms', () => {
  it('splits syllables at tsheg, shad and spaces and adds syllable bigrams', () => {
    const t = terms('ལས་ཞུགས་ཐོ་འགོད། ཇི་ལྟར་བྱེད།');
    expect(t).toEqual(expect.arrayContaining(['ལས', 'ཞུགས', 'ཐོ', 'འགོད', 'ལས་ཞུགས', 'ཐོ་འགོད']));
    expect(t).not.toContain('འགོད་ཇི'); // no bigram across a shad
  });

  it('drops particles and question words as terms', () => {
    const t = terms('ཡོད་དམ། ཇི་ལྟར་བྱེད་དགོས།');
    expect(t.filter((x) => !x.includes('་'))).toEqual([]);
  });

  it('folds fused case endings so inflected and bare forms meet', () => {
    expect(stemSyllable('སྣར')).toBe(stemSyllable('སྣ'));
    expect(stemSyllable('ཀའི')).toBe(stemSyllable('ཀ'));
    expect(stemSyllable('པོས')).toBe('པོ');
    expect(stemSyllable('ལས')).toBe('ལས');
    expect(stemSyllable('གསར')).toBe('གསར');
    expect(terms('མི་སྣར')).toContain('མི་སྣ');
  });

  it('handles mixed Chinese and Tibetan in one message', () => {
    const t = terms('失业金 ལས་ཤོར་ཉེན་འགོག');
    expect(t).toEqual(expect.arrayContaining(['失业', 'ལས', 'ཉེན་འགོག']));
  });

  it('keeps hotline numbers and Latin words', () => {
    expect(terms('打12333问')).toContain('12333');
  });
});

describe('stemming', () => {
  it('folds the locative and agentive fused to a one-letter open syllable, not a word', () => {
    expect(stemSyllable('ཀར')).toBe('ཀ');
    expect(stemSyllable('ལས')).toBe('ལས');
  });
});
