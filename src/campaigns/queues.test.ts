import { describe, expect, it } from 'vitest';
import { limiterFor } from './queues.js';

describe('limiterFor', () => {
  it('spreads a rate over short windows without changing it', () => {
    expect(limiterFor(25)).toEqual({ max: 5, duration: 200 });
    expect(limiterFor(20)).toEqual({ max: 2, duration: 100 });
    expect(limiterFor(5)).toEqual({ max: 1, duration: 200 });
    expect(limiterFor(3)).toEqual({ max: 3, duration: 1000 });
    expect(limiterFor(0.5)).toEqual({ max: 1, duration: 2000 });
    expect(limiterFor(7.5)).toEqual({ max: 7, duration: 1000 });
  });
});
