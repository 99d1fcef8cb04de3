import { describe, expect, it } from 'vitest';
import { readLoanwords } from './loanwords.js';
import { tokenize } from './tokenize.js';

describe('loanwords in Tibetan letters', () => {
  it('reads them as the Chinese word, tsheg or not', () => {
    expect(readLoanwords('ཧྲི་ཡེ་ཅིན་ག་འདྲ་ལེན').trim()).toMatch(/^失业金/u);
    expect(readLoanwords('ཧྲིཡེཅིན་ག་པར་ལེན')).toContain('失业金');
    expect(readLoanwords('ཀུང་ཡི་ཀང་ཝེ་ཡོད་དམ')).toContain('公益岗位');
  });

  it('gives the same terms as the Chinese word written in Han', () => {
    const terms = (t: string) => tokenize(t).map((x) => x.term);
    expect(terms('ཧྲེ་པའོ')).toEqual(terms('社保'));
  });

  it('leaves syllables that only contain a spelling alone', () => {
    // ཀང is a syllable of ཀང་ཝེ, but ཀང་པ (foot) is Tibetan
    expect(readLoanwords('ཀང་པ་ན་གི་འདུག')).toBe('ཀང་པ་ན་གི་འདུག');
    expect(readLoanwords('ལས་ཀ་འཚོལ')).toBe('ལས་ཀ་འཚོལ');
  });
});
