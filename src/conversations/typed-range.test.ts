import { describe, expect, it } from 'vitest';
import { pickByRange } from './typed-range.js';

const ages = ['16-24', '25-34', '35-44', '45-54', '55-plus', 'skip', 'later'].map(
  (id) => `intake:q-age#${id}`,
);

describe('an age typed where ranges are offered', () => {
  it.each([
    ['52', '45-54'],
    ['我今年五十二了', '45-54'],
    ['六十岁', '55-plus'],
    ['我18', '16-24'],
    ['ལོ་ ༥༢', '45-54'],
    ['３０岁', '25-34'],
  ])('%s → %s', (text, range) => {
    expect(pickByRange(ages, text)).toBe(`intake:q-age#${range}`);
  });

  it('picks nothing from no number, two numbers, or where no ranges are offered', () => {
    expect(pickByRange(ages, '不想说')).toBeUndefined();
    expect(pickByRange(ages, '我50 我老伴48')).toBeUndefined();
    expect(pickByRange(ages, '8')).toBeUndefined();
    expect(pickByRange(['main:menu#jobs'], '52')).toBeUndefined();
    // A birth year is no age.
    for (const year of ['1990', '我是90后', '我85年的', '我是1985年出生的'])
      expect(pickByRange(ages, year), year).toBeUndefined();
    // Words of distress are read as words (care first), not as the age they mention.
    expect(pickByRange(ages, '我都五十了不想活了', (t) => t.includes('不想活'))).toBeUndefined();
  });
});
