import { describe, expect, it } from 'vitest';
import { choiceNumber } from '../../lib/choice-number.js';
import { renderWechat, WECHAT_TEXT_MAX_BYTES } from './render.js';

describe('WeChat rendering', () => {
  it('shows choices as a numbered list, links as lines and a notice last', () => {
    const [text] = renderWechat([
      {
        text: '请选择',
        lang: 'zh-CN',
        choices: [
          { id: 'a', label: '政策咨询' },
          { id: 'b', label: '找工作' },
        ],
        media: [{ title: '申领指南', url: 'https://example.org/guide' }],
        notice: '回复“退订”不再接收',
      },
    ]);
    expect(text).toBe(
      '请选择\n\n申领指南 https://example.org/guide\n\n1. 政策咨询\n2. 找工作\n\n回复“退订”不再接收',
    );
  });

  it('numbers the text’s own list ①②③ beside choices, so a reply "1" can only mean a choice', () => {
    // "我的订阅" listed "1. 保安" and offered "1. 全部取消": a "1" removed every subscription.
    const [out] = renderWechat([
      {
        text: '您订阅的岗位提醒：\n1. 保安\n2. 司机\n༣. ཁ་ལོ་བ\n1.5倍工资',
        lang: 'zh-CN',
        choices: [{ id: 'jobs:subs#all', label: '全部取消' }],
      },
    ]);
    expect(out).toBe('您订阅的岗位提醒：\n① 保安\n② 司机\n③ ཁ་ལོ་བ\n1.5倍工资\n\n1. 全部取消');
    // Without choices nothing is renumbered.
    expect(renderWechat([{ text: '1. 保安', lang: 'zh-CN' }])).toEqual(['1. 保安']);
  });

  it('splits long Tibetan and Chinese within 2,048 bytes, never inside a stack', () => {
    for (const long of ['བསྒྲུབས་'.repeat(600), '失业保险金按月发放。'.repeat(400)]) {
      const parts = renderWechat([{ text: long, lang: 'bo' }]);
      expect(parts.length).toBeGreaterThan(1);
      for (const p of parts)
        expect(Buffer.byteLength(p)).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
      expect(parts.join('').replaceAll(/\s/g, '')).toBe(long.replaceAll(/\s/g, ''));
      // every part but the last ends at a tsheg or a sentence end
      for (const p of parts.slice(0, -1)) expect(p).toMatch(/[\u0F0B。]$/u);
    }
  });

  it('a typed number picks a choice: 2, ２, ༢, 二, 第二个', () => {
    for (const s of ['2', '２', '༢', '二', '第二个', '2.', 'གཉིས་པ', 'གཉིས་པ།', '༢།', '２．'])
      expect(choiceNumber(s), s).toBe(2);
    expect(choiceNumber('དང་པོ')).toBe(1);
    expect(choiceNumber('十二')).toBe(12);
    // A reviewer's: བཞི (four) was refused while 四 picked the fourth.
    expect(choiceNumber('བཞི')).toBe(4);
    expect(choiceNumber('གཉིས།')).toBe(2);
    for (const s of ['二手车', '两个', 'hello', '0']) expect(choiceNumber(s), s).toBeUndefined();
  });
});

describe('WeChat API errors as the sender contract’s kinds', () => {
  it('maps window, block, quota, busy and other codes', async () => {
    const { wechatSendError } = await import('./sender.js');
    const { WechatApiError } = await import('./api.js');
    const kind = (code: number, status = 200) =>
      wechatSendError(new WechatApiError(code, 'x', status)).kind;
    expect(kind(45015)).toBe('windowClosed');
    expect(kind(45047)).toBe('windowClosed');
    expect(kind(43004)).toBe('blocked');
    expect(kind(43019)).toBe('blocked');
    expect(kind(40003)).toBe('blocked');
    expect(kind(45009)).toBe('rateLimited');
    expect(wechatSendError(new WechatApiError(45009, 'x')).retryAfterMs).toBe(60_000);
    expect(kind(-1)).toBe('transient');
    expect(kind(-2, 502)).toBe('transient');
    expect(kind(40035)).toBe('rejected');
    expect(wechatSendError(new Error('socket hang up')).kind).toBe('transient');
  });
});
