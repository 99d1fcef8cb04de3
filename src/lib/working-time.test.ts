import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emptyCalendar, loadCalendar, parseCalendar } from './holiday-calendar.js';
import {
  addWorkingMinutes,
  isWorkingTime,
  nextWorkingStart,
  parseWorkingHours,
  workingMinutesBetween,
} from './working-time.js';

const REAL_CALENDAR = fileURLToPath(new URL('../../calendar/holidays.json', import.meta.url));

/** A Lhasa wall-clock time (`2026-03-06 17:50`) as a Date. */
const lhasa = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const name = { 'zh-CN': '测试', bo: 'ཚོད་ལྟ།' };
const calendarOf = (holidays: string[], workdays: string[] = []) =>
  parseCalendar({
    version: 1,
    holidays: holidays.map((date) => ({ date, name })),
    workdays: workdays.map((date) => ({ date, name })),
  });

const office = parseWorkingHours('Mon-Fri 09:30-18:00');
const none = emptyCalendar();

describe('parseWorkingHours', () => {
  it('reads the day range and the daily window', () => {
    expect(office.days).toEqual([false, true, true, true, true, true, false]);
    expect(office.startMin).toBe(9 * 60 + 30);
    expect(office.endMin).toBe(18 * 60);
  });

  it('wraps a day range across the week end', () => {
    expect(parseWorkingHours('Sat-Tue 10:00-16:00').days).toEqual([
      true, // Sun
      true, // Mon
      true, // Tue
      false,
      false,
      false,
      true, // Sat
    ]);
    expect(parseWorkingHours('Wed-Wed 08:00-12:00').days.filter(Boolean)).toHaveLength(1);
  });

  it('rejects what it cannot use', () => {
    expect(() => parseWorkingHours('Mon-Fri 18:00-09:30')).toThrow(/end after/);
    expect(() => parseWorkingHours('Mon-Fry 09:30-18:00')).toThrow(/unknown day Fry/);
    expect(() => parseWorkingHours('Mon-Fri 24:00-25:00')).toThrow(/no such time/);
    expect(() => parseWorkingHours('weekdays 9-6')).toThrow(/expected e.g./);
  });
});

describe('isWorkingTime (Lhasa time, UTC+8)', () => {
  it('opens at 09:30 and closes at 18:00 Lhasa time, not UTC', () => {
    expect(isWorkingTime(lhasa('2026-03-04 09:29'), office, none)).toBe(false);
    expect(isWorkingTime(new Date('2026-03-04T01:30:00Z'), office, none)).toBe(true); // 09:30
    expect(isWorkingTime(lhasa('2026-03-04 17:59'), office, none)).toBe(true);
    expect(isWorkingTime(lhasa('2026-03-04 18:00'), office, none)).toBe(false);
  });

  it('takes the day (weekday, holiday) from the Lhasa date, not the UTC one', () => {
    const early = parseWorkingHours('Mon-Fri 07:00-12:00');
    // Mon 07:30 in Lhasa is still Sunday 23:30 in UTC.
    expect(isWorkingTime(new Date('2026-03-08T23:30:00Z'), early, none)).toBe(true);
    expect(isWorkingTime(lhasa('2026-03-10 07:30'), early, calendarOf(['2026-03-10']))).toBe(false);
    expect(isWorkingTime(lhasa('2026-03-10 07:30'), early, calendarOf(['2026-03-09']))).toBe(true);
  });

  it('is off at the weekend', () => {
    expect(isWorkingTime(lhasa('2026-03-07 10:00'), office, none)).toBe(false); // Saturday
    expect(isWorkingTime(lhasa('2026-03-08 10:00'), office, none)).toBe(false); // Sunday
    expect(isWorkingTime(lhasa('2026-03-09 10:00'), office, none)).toBe(true); // Monday
  });

  it('is off on a holiday, the whole Lhasa day', () => {
    const cal = calendarOf(['2026-03-04']);
    expect(isWorkingTime(lhasa('2026-03-04 10:00'), office, cal)).toBe(false);
    expect(isWorkingTime(lhasa('2026-03-04 17:59'), office, cal)).toBe(false);
    expect(isWorkingTime(lhasa('2026-03-05 10:00'), office, cal)).toBe(true);
  });

  it('works a make-up weekend day with the usual hours', () => {
    const cal = calendarOf([], ['2026-03-07']);
    expect(isWorkingTime(lhasa('2026-03-07 09:30'), office, cal)).toBe(true);
    expect(isWorkingTime(lhasa('2026-03-07 09:29'), office, cal)).toBe(false);
    expect(isWorkingTime(lhasa('2026-03-07 18:00'), office, cal)).toBe(false);
    expect(isWorkingTime(lhasa('2026-03-08 10:00'), office, cal)).toBe(false); // Sunday stays off
  });
});

describe('nextWorkingStart', () => {
  it('is the moment itself inside working time', () => {
    const at = lhasa('2026-03-04 11:15');
    expect(nextWorkingStart(at, office, none)).toEqual(at);
  });

  it('skips the evening, the weekend and a holiday', () => {
    expect(nextWorkingStart(lhasa('2026-03-04 07:00'), office, none)).toEqual(
      lhasa('2026-03-04 09:30'),
    );
    expect(nextWorkingStart(lhasa('2026-03-06 18:00'), office, none)).toEqual(
      lhasa('2026-03-09 09:30'),
    );
    const cal = calendarOf(['2026-03-09']);
    expect(nextWorkingStart(lhasa('2026-03-06 18:00'), office, cal)).toEqual(
      lhasa('2026-03-10 09:30'),
    );
  });

  it('gives up instead of searching forever', () => {
    const mondays = parseWorkingHours('Mon-Mon 09:00-10:00');
    const first = Date.UTC(2026, 0, 1);
    const everyDay = Array.from({ length: 450 }, (_, i) =>
      new Date(first + i * 86_400_000).toISOString().slice(0, 10),
    );
    const cal = calendarOf(everyDay);
    expect(() => nextWorkingStart(lhasa('2026-01-01 08:00'), mondays, cal)).toThrow(/400 days/);
  });
});

describe('addWorkingMinutes', () => {
  it('carries Friday evening over to Monday morning', () => {
    expect(addWorkingMinutes(lhasa('2026-03-06 17:50'), 30, office, none)).toEqual(
      lhasa('2026-03-09 09:50'),
    );
  });

  it('ends at closing time when the minutes run out exactly then', () => {
    expect(addWorkingMinutes(lhasa('2026-03-06 17:50'), 10, office, none)).toEqual(
      lhasa('2026-03-06 18:00'),
    );
  });

  it('starts counting only when work starts', () => {
    expect(addWorkingMinutes(lhasa('2026-03-07 12:00'), 45, office, none)).toEqual(
      lhasa('2026-03-09 10:15'),
    );
    expect(addWorkingMinutes(lhasa('2026-03-04 10:00'), 2 * 510, office, none)).toEqual(
      lhasa('2026-03-06 10:00'),
    );
  });

  it('zero minutes is the moment itself; negative minutes are refused', () => {
    const at = lhasa('2026-03-07 12:00');
    expect(addWorkingMinutes(at, 0, office, none)).toEqual(at);
    expect(() => addWorkingMinutes(at, -1, office, none)).toThrow(/≥ 0/);
    expect(() => addWorkingMinutes(at, Number.NaN, office, none)).toThrow(/finite/);
  });

  it('runs a deadline across the Losar week (real calendar, Lhasa 2026 notice)', () => {
    const cal = loadCalendar(REAL_CALENDAR);
    // Fri 13 Feb 17:00: 60 min that day, 510 on the make-up Saturday 14 Feb, then the Spring
    // Festival + Losar break (15–26 Feb), then 450 min on Fri 27 Feb.
    const opened = lhasa('2026-02-13 17:00');
    const due = addWorkingMinutes(opened, 1020, office, cal);
    expect(due).toEqual(lhasa('2026-02-27 17:00'));
    expect(workingMinutesBetween(opened, due, office, cal)).toBe(1020);
    expect(isWorkingTime(lhasa('2026-02-18 10:00'), office, cal)).toBe(false); // Losar, a Wednesday
    expect(isWorkingTime(lhasa('2026-02-28 10:00'), office, cal)).toBe(true); // make-up Saturday
  });

  it('follows wrap-around day ranges', () => {
    const shop = parseWorkingHours('Sat-Tue 10:00-16:00');
    // Tue 15:30 → 30 min left that day, Wed–Fri closed, Sat 10:00 + 30.
    expect(addWorkingMinutes(lhasa('2026-03-10 15:30'), 60, shop, none)).toEqual(
      lhasa('2026-03-14 10:30'),
    );
    expect(isWorkingTime(lhasa('2026-03-08 11:00'), shop, none)).toBe(true); // Sunday
    expect(isWorkingTime(lhasa('2026-03-11 11:00'), shop, none)).toBe(false); // Wednesday
  });
});

describe('workingMinutesBetween', () => {
  it('counts only working time', () => {
    expect(
      workingMinutesBetween(lhasa('2026-03-06 17:00'), lhasa('2026-03-09 10:30'), office, none),
    ).toBe(120);
    expect(
      workingMinutesBetween(lhasa('2026-03-07 08:00'), lhasa('2026-03-08 20:00'), office, none),
    ).toBe(0);
  });

  it('leaves out holidays and is 0 when the ends are reversed', () => {
    const cal = calendarOf(['2026-03-05']);
    const from = lhasa('2026-03-04 17:00');
    const to = lhasa('2026-03-06 10:00');
    expect(workingMinutesBetween(from, to, office, cal)).toBe(60 + 30);
    expect(workingMinutesBetween(to, from, office, cal)).toBe(0);
  });
});
