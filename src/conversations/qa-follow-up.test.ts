import { describe, expect, it } from 'vitest';
import { asksForAPerson } from './qa-follow-up.js';

describe('asksForAPerson', () => {
  it.each([
    ['我想跟真人说话', true],
    // A reviewer's: answered with a card saying to send 人工.
    ['有没有人工客服', true],
    ['ལས་བྱེད་པ་དང་སྐད་ཆ་བཤད་ཆོག་གམ', true],
    ['怎么联系指导员', false],
    ['指导员的电话是多少', false],
    ['ལམ་སྟོན་པ་ག་པར་ཡོད', false],
  ] as const)('%s → %s', (text, wish) => {
    expect(asksForAPerson(text)).toBe(wish);
  });
});
