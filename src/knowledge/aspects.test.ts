import { describe, expect, it } from 'vitest';
import { aspectsOf, cardForAspects } from './aspects.js';
import { CARDS } from './test-cards.fixture.js';

describe('aspectsOf', () => {
  it.each([
    ['失业金怎么领', ['how']],
    ['领失业金要带什么材料', ['bring']],
    ['谁能领失业金', ['who']],
    ['失业金一个月多少钱', ['amount']],
    ['失业金能领多久', ['duration']],
    ['失业登记在哪办', ['where']],
    ['ལས་མེད་ཉེན་འགོག་དངུལ་ཇི་ལྟར་ལེན་དགོས།', ['how']],
    ['ཡིག་ཆ་ག་རེ་ཁྱེར་དགོས།', ['bring']],
    ['ལས་མེད་ཐོ་འགོད་ག་པར་བྱེད།', ['where']],
    // The end of a term and what to do then: duration, not how to apply.
    ['干了快三年了 到期了我咋办 还能续吗', ['duration']],
    ['公益岗满了怎么办', ['duration']],
    ['དུས་ཡུན་ཚང་རྗེས་ག་འདྲ་བྱེད་དགོས།', ['duration']],
  ] as const)('%s asks %j', (text, aspects) => {
    expect([...aspectsOf(text)].sort()).toEqual([...aspects].sort());
  });
});

describe('cardForAspects', () => {
  const [a, b] = CARDS;
  it('takes the card covering what was asked over the better-ranked one', () => {
    const how = { ...b!, aspects: ['how' as const] };
    expect(cardForAspects([a!, how], new Set(['how']))).toEqual({ card: how, hits: 1 });
  });
  it('keeps the best-ranked card when none covers it, or nothing is asked', () => {
    expect(cardForAspects([a!, b!], new Set(['how']))).toEqual({ card: a, hits: 0 });
    expect(cardForAspects([a!, b!], new Set())?.card).toBe(a);
    expect(cardForAspects([], new Set(['how']))).toBeUndefined();
  });
});
