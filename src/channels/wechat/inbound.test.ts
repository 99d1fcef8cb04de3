import { describe, expect, it } from 'vitest';
import { callbackKey } from './inbound.js';

describe('callbackKey: what makes a WeChat callback the same one again', () => {
  it('is the MsgId of a message', () => {
    expect(callbackKey({ MsgId: '123', FromUserName: 'o1', CreateTime: '1' })).toBe('msg:123');
  });

  it('tells two menu taps in the same second apart by their EventKey (the second was dropped)', () => {
    const tap = (EventKey: string) =>
      callbackKey({ FromUserName: 'o1', CreateTime: '1700000000', Event: 'CLICK', EventKey });
    expect(tap('main:menu#policy')).not.toBe(tap('main:menu#jobs'));
    expect(tap('main:menu#jobs')).toBe(tap('main:menu#jobs'));
  });
});
