import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';
import { isDatabaseUnavailable } from './db-errors.js';

describe('groupCommit', () => {
  it('batches writes that arrive while one is in flight, and each caller waits for its own', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const commit = groupCommit(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = commit([1]);
    const rest = [commit([2]), commit([3, 4]), commit([5])];
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('fails every caller of a failed batch, and keeps going afterwards', async () => {
    let fail = true;
    const commit = groupCommit(async () => {
      if (fail) throw new Error('disk full');
    });
    await expect(commit([1])).rejects.toThrow('disk full');
    fail = false;
    await expect(commit([2])).resolves.toBeUndefined();
  });

  it('respects the batch size', async () => {
    const sizes: number[] = [];
    const commit = groupCommit(async (items: number[]) => {
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 1));
    }, 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => commit([i])));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('lingers: writes arriving within the window go in one batch, and flush waits for them', async () => {
    const batches: number[][] = [];
    const commit = groupCommit(
      async (items: number[]) => {
        batches.push(items);
      },
      500,
      20,
    );
    const first = commit([1]);
    await new Promise((r) => setTimeout(r, 5));
    const second = commit([2]);
    await Promise.all([first, second, commit.flush()]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('a flush (a reader waiting) cuts the linger short', async () => {
    const batches: number[][] = [];
    const commit = groupCommit(
      async (items: number[]) => {
        batches.push(items);
      },
      500,
      10_000,
    );
    const written = commit([1]);
    const started = Date.now();
    await commit.flush();
    await written;
    expect(batches).toEqual([[1]]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('groupCommit while the database is away', () => {
  const down = () =>
    Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoNetworkError' });

  it('keeps a batch and tries again until the database is back; callers wait, nothing lost', async () => {
    let failures = 2;
    const stored: number[] = [];
    const commit = groupCommit(
      async (items: number[]) => {
        if (failures-- > 0) throw down();
        stored.push(...items);
      },
      500,
      0,
      {
        isTransient: isDatabaseUnavailable,
        maxQueued: 100,
        onDropped: () => undefined,
        maxWaitMs: 20,
      },
    );
    await Promise.all([commit([1]), commit([2, 3])]);
    expect(stored.sort()).toEqual([1, 2, 3]);
  });

  it('fails at once on an error that is not an outage', async () => {
    const commit = groupCommit(
      () => Promise.reject(new Error('document failed validation')),
      500,
      0,
      { isTransient: isDatabaseUnavailable, maxQueued: 100, onDropped: () => undefined },
    );
    await expect(commit([1])).rejects.toThrow('validation');
  });

  it('bounds what waits: beyond the bound the oldest are dropped and counted', async () => {
    let up = false;
    let dropped = 0;
    const stored: number[] = [];
    const commit = groupCommit(
      async (items: number[]) => {
        if (!up) throw down();
        stored.push(...items);
      },
      1,
      0,
      {
        isTransient: isDatabaseUnavailable,
        maxQueued: 3,
        onDropped: (n) => (dropped += n),
        maxWaitMs: 10,
      },
    );
    const first = commit([0]);
    const waiting = [1, 2, 3, 4, 5].map((i) =>
      commit([i]).then(
        () => 'stored',
        () => 'dropped',
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    up = true;
    await first;
    expect(await Promise.all(waiting)).toEqual([
      'dropped',
      'dropped',
      'stored',
      'stored',
      'stored',
    ]);
    expect(dropped).toBe(2);
    expect(stored).toEqual([0, 3, 4, 5]);
  });
});
