import { describe, expect, it } from 'vitest';
import { cleanPlanText, followupDueAt, lhasaDay, planDueAt, planLine } from './plan.format.js';

// Lhasa is UTC+8: 10:00 Lhasa = 02:00 UTC; 23:30 Lhasa on the 4th = 15:30 UTC on the 4th.
const at = (iso: string) => new Date(iso);

describe('a step’s date (Lhasa time, reminder at 10:00)', () => {
  it('counts days from Lhasa’s date, not UTC’s', () => {
    // 00:30 on 5 May in Lhasa is still 4 May in UTC.
    const now = at('2026-05-04T16:30:00Z');
    expect(planDueAt('3d', now).toISOString()).toBe('2026-05-08T02:00:00.000Z');
    expect(planDueAt('1w', now).toISOString()).toBe('2026-05-12T02:00:00.000Z');
    expect(planDueAt('2w', now).toISOString()).toBe('2026-05-19T02:00:00.000Z');
  });

  it('a month on is the same day next month, or its last day', () => {
    expect(planDueAt('1m', at('2026-01-31T04:00:00Z')).toISOString()).toBe(
      '2026-02-28T02:00:00.000Z',
    );
    expect(planDueAt('1m', at('2028-01-31T04:00:00Z')).toISOString()).toBe(
      '2028-02-29T02:00:00.000Z',
    );
    expect(planDueAt('1m', at('2026-12-15T04:00:00Z')).toISOString()).toBe(
      '2027-01-15T02:00:00.000Z',
    );
    expect(followupDueAt(at('2026-11-30T04:00:00Z'), 3).toISOString()).toBe(
      '2027-02-28T02:00:00.000Z',
    );
    expect(followupDueAt(at('2026-03-10T20:00:00Z'), 1).toISOString()).toBe(
      '2026-04-11T02:00:00.000Z',
    );
  });

  it('names the day in both languages', () => {
    expect(lhasaDay(at('2026-05-08T02:00:00Z'), 'zh-CN')).toBe('5月8日');
    expect(lhasaDay(at('2026-12-31T17:00:00Z'), 'zh-CN')).toBe('1月1日');
    expect(lhasaDay(at('2026-11-08T02:00:00Z'), 'bo')).toBe('ཟླ་༡༡ ཚེས་༨');
  });
});

describe('a step’s text', () => {
  it('is one clean line of at most 200 characters', () => {
    expect(cleanPlanText('  去\u0007人力\u202E资源\u200B市场\n看看\t招聘  ')).toBe(
      '去人力资源市场 看看 招聘',
    );
    expect(cleanPlanText('<b>{{x}}</b> $t(main:welcome)')).toBe('<b>{{x}}</b> $t(main:welcome)');
    expect(cleanPlanText('长'.repeat(5000))).toHaveLength(200);
    expect(planLine('长'.repeat(5000)).length).toBeGreaterThan(200);
    expect(cleanPlanText('\u0000\u0001 ')).toBe('');
  });

  it('never cuts inside a Tibetan stack', () => {
    const text = 'བསྒྲུབས'.repeat(60);
    const cut = cleanPlanText(text);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(text.startsWith(cut)).toBe(true);
    expect(/[\u0F71-\u0F84\u0F90-\u0FBC]/u.test(text.charAt(cut.length))).toBe(false);
  });
});
