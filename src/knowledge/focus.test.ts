import { describe, expect, it } from 'vitest';
import { asksSomething, focusSentences } from './focus.js';

describe('asksSomething', () => {
  it.each([
    ['失业金怎么领', true],
    ['失业金能领几个月', true],
    ['几年能退休？', true],
    ['ལས་མེད་ཐོ་འགོད་ག་པར་བྱེད།', true],
    // "十几年", "好几年": a number of years told, not asked (an interview answer got a card).
    ['我叫扎西 今年48 以前在建筑队干了十几年，会开挖掘机', false],
    ['我干了好几年保洁', false],
    ['我住的那个地方离市区挺远', false],
  ] as const)('%s → %s', (text, asks) => {
    expect(asksSomething(text)).toBe(asks);
  });
});

describe('focusSentences', () => {
  it('takes a space between two whole clauses for a sentence end (the question counts fully)', () => {
    const parts = focusSentences('今天跑了一天累死了 失业登记明天还能办吗');
    expect(parts.map((p) => p.text)).toEqual(['今天跑了一天累死了', '失业登记明天还能办吗']);
    expect(parts[1]?.weight).toBe(1);
    expect(parts[0]?.weight).toBeLessThan(1);
  });

  it('keeps a short phrase and its question word together ("失业金 怎么领")', () => {
    expect(focusSentences('失业金 怎么领').map((p) => p.text)).toEqual(['失业金 怎么领']);
  });
});
