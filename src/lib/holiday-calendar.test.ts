import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createCalendarSource, loadCalendar, parseCalendar } from './holiday-calendar.js';

const REAL_CALENDAR = fileURLToPath(new URL('../../calendar/holidays.json', import.meta.url));

const name = { 'zh-CN': '测试', bo: 'ཚོད་ལྟ།' };

describe('parseCalendar', () => {
  it('rejects a bad entry, naming where it is', () => {
    const bad = {
      version: 1,
      holidays: [
        { date: '2026-02-18', name },
        { date: '2026-02-30', name },
      ],
      workdays: [],
    };
    expect(() => parseCalendar(bad)).toThrow(
      /holidays\[1\]\.date \(2026-02-30\): expected a real date/,
    );
  });

  it('rejects a missing Tibetan name and a day both off and on', () => {
    const noBo = {
      version: 1,
      holidays: [],
      workdays: [{ date: '2026-02-14', name: { 'zh-CN': '调休' } }],
    };
    expect(() => parseCalendar(noBo)).toThrow(/workdays\[0\]\.name\.bo \(2026-02-14\)/);
    const both = {
      version: 1,
      holidays: [{ date: '2026-02-14', name }],
      workdays: [{ date: '2026-02-14', name }],
    };
    expect(() => parseCalendar(both)).toThrow(
      /workdays\[0\]\.date.*already listed as holidays\[0\]/,
    );
    expect(() => parseCalendar({ version: 2, holidays: [], workdays: [] })).toThrow(/version/);
  });

  it('parses the real calendar/holidays.json', () => {
    const cal = loadCalendar(REAL_CALENDAR);
    expect(cal.holidays.get('2026-02-18')?.name.bo).toContain('ལོ་གསར');
    expect(cal.holidays.get('2026-10-01')?.name['zh-CN']).toBe('国庆节');
    expect(cal.workdays.has('2026-02-14')).toBe(true);
    expect([...cal.holidays.values()].some((e) => e.name.bo.includes('ཞོ་སྟོན'))).toBe(true);
    expect(cal.holidays.has('2027-02-07')).toBe(true); // Losar 2027 (estimated)
    // Nothing for 2027 is published yet: every 2027 entry must say it is an estimate.
    const raw = JSON.parse(readFileSync(REAL_CALENDAR, 'utf8')) as {
      holidays: { date: string; estimated?: boolean }[];
      workdays: { date: string; estimated?: boolean }[];
    };
    const in2027 = [...raw.holidays, ...raw.workdays].filter((e) => e.date.startsWith('2027'));
    expect(in2027.length).toBeGreaterThan(20);
    expect(in2027.filter((e) => e.estimated !== true)).toEqual([]);
  });
});

describe('createCalendarSource', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'working-time-'));
    dirs.push(dir);
    const file = join(dir, 'holidays.json');
    let clock = 1_000_000;
    let mtime = 1_700_000_000;
    const warnings: { obj: object; msg: string }[] = [];
    const write = (text: string) => {
      writeFileSync(file, text);
      mtime += 60; // a distinct mtime for every edit, however fast the test runs
      utimesSync(file, mtime, mtime);
    };
    const source = () =>
      createCalendarSource(
        file,
        { warn: (obj, msg) => warnings.push({ obj, msg }) },
        {
          now: () => clock,
        },
      );
    const tick = (ms: number) => (clock += ms);
    return { write, source, tick, warnings };
  };
  const json = (dates: string[]) =>
    JSON.stringify({ version: 1, holidays: dates.map((date) => ({ date, name })), workdays: [] });

  it('re-reads an edited file, at most every 5 s', () => {
    const { write, source, tick, warnings } = setup();
    write(json(['2026-03-04']));
    const src = source();
    expect(src.current().holidays.has('2026-03-04')).toBe(true);
    write(json(['2026-03-05']));
    tick(4_000);
    expect(src.current().holidays.has('2026-03-05')).toBe(false); // not checked yet
    tick(1_000);
    expect(src.current().holidays.has('2026-03-05')).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('keeps the last good calendar when an edit breaks the file, warning once', () => {
    const { write, source, tick, warnings } = setup();
    write(json(['2026-03-04']));
    const src = source();
    write(json(['2026-13-01']));
    tick(5_000);
    expect(src.current().holidays.has('2026-03-04')).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.obj)).toContain('holidays[0].date (2026-13-01)');
    write('{ "version": 1, "holidays": [');
    tick(5_000);
    expect(src.current().holidays.has('2026-03-04')).toBe(true);
    tick(5_000);
    expect(src.current().holidays.has('2026-03-04')).toBe(true);
    expect(warnings).toHaveLength(2); // one per broken version, not one per check
    expect(JSON.stringify(warnings[1]?.obj)).toMatch(/JSON/);
    write(json(['2026-03-06']));
    tick(5_000);
    expect(src.current().holidays.has('2026-03-06')).toBe(true);
  });

  it('starts empty with one warning when the file is missing, then picks it up', () => {
    const { write, source, tick, warnings } = setup();
    const src = source();
    expect(src.current().holidays.size).toBe(0);
    tick(5_000);
    expect(src.current().holidays.size).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/not found/);
    write(json(['2026-03-04']));
    tick(5_000);
    expect(src.current().holidays.has('2026-03-04')).toBe(true);
  });
});
