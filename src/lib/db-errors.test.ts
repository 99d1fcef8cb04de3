import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isRedisUnavailable } from './db-errors.js';

const named = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name }, extra);

describe('isRedisUnavailable', () => {
  it.each([
    ['Connection is closed.'],
    ['Reached the max retries per request limit (which is 20).'],
    // Up but refusing writes: full with noeviction, a replica after a failover, loading.
    ["OOM command not allowed when used memory > 'maxmemory'."],
    ["READONLY You can't write against a read only replica."],
    ['EXECABORT Transaction discarded because of previous errors.'],
    ['LOADING Redis is loading the dataset in memory'],
  ])('%s: unavailable (503, retried)', (message) => {
    expect(isRedisUnavailable(named('ReplyError', message))).toBe(true);
  });

  it('a wrong command is not an outage', () => {
    expect(isRedisUnavailable(named('ReplyError', 'ERR unknown command'))).toBe(false);
    expect(isRedisUnavailable(named('ReplyError', 'WRONGTYPE Operation against a key'))).toBe(
      false,
    );
  });
});

describe('isDatabaseUnavailable', () => {
  it('a bulk write the network interrupted (its cause, or the pool cleared) is retried', () => {
    const cleared = named(
      'PoolClearedOnNetworkError',
      'Connection to 127.0.0.1:27018 interrupted due to server monitor timeout',
    );
    expect(isDatabaseUnavailable(cleared)).toBe(true);
    const bulk = named('MongoBulkWriteError', 'Connection pool for 127.0.0.1:27018 was cleared', {
      cause: cleared,
    });
    expect(isDatabaseUnavailable(bulk)).toBe(true);
    expect(isDatabaseUnavailable(named('MongoBulkWriteError', 'x', { cause: cleared }))).toBe(true);
  });

  it('a duplicate key or a validation error is not an outage', () => {
    expect(
      isDatabaseUnavailable(named('MongoServerError', 'E11000 duplicate key', { code: 11000 })),
    ).toBe(false);
    expect(isDatabaseUnavailable(named('ValidationError', 'Path `x` is required.'))).toBe(false);
  });
});
