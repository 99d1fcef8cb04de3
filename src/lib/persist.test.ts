import { describe, expect, it } from 'vitest';
import { persist } from './persist.js';

describe('persist', () => {
  it('tries a failing write again until it succeeds', async () => {
    let calls = 0;
    const out = await persist(
      async () => {
        if (++calls < 3) throw new Error('database away');
        return 'written';
      },
      { firstWaitMs: 1 },
    );
    expect(out).toBe('written');
    expect(calls).toBe(3);
  });

  it('gives up with the last error after its time', async () => {
    let calls = 0;
    await expect(
      persist(
        async () => {
          calls++;
          throw new Error(`failed ${calls}`);
        },
        { withinMs: 30, firstWaitMs: 5, maxWaitMs: 5 },
      ),
    ).rejects.toThrow(/failed \d/);
    expect(calls).toBeGreaterThan(1);
  });
});
