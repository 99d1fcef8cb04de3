import { describe, expect, it } from 'vitest';
import { asksSomething } from './focus.js';

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
