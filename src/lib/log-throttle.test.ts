import { describe, expect, it, vi } from 'vitest';
import { throttledWarn } from './log-throttle.js';

describe('throttledWarn', () => {
  it('logs a repeating warning once per window, with how many were held back', () => {
    vi.useFakeTimers();
    try {
      const warn = vi.fn();
      const onError = throttledWarn({ warn }, 'redis connection error', 30_000);
      for (let i = 0; i < 70; i++) onError(new Error('connect ECONNREFUSED'));
      expect(warn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(30_000);
      onError(new Error('connect ECONNREFUSED'));
      expect(warn).toHaveBeenCalledTimes(2);
      expect(warn.mock.calls[1]?.[0]).toMatchObject({ heldBack: 69 });
    } finally {
      vi.useRealTimers();
    }
  });
});
