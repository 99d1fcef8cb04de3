import { describe, expect, it } from 'vitest';
import { parseJobsCsv } from './import.js';
import { parseExpiry } from './job.schema.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const HEAD = 'title,employer,district,category,description,contact,expiresAt';

describe('parseJobsCsv', () => {
  it('reads a BOM, Chinese headers, quoted commas, line breaks and "" escapes, by start line', () => {
    const csv =
      '\uFEFF岗位名称,岗位名称（藏文）,用人单位,区县,类别,岗位描述,联系方式,截止日期\r\n' +
      '保安,སྲུང་སྐྱོབ་པ,"拉萨某物业公司, 城关分公司",城关区,security,"夜班，\r\n包住宿","电话 0891-1234567"",""",2025-06-30\r\n' +
      '\r\n' +
      '保洁员,,某酒店,达孜区,,"负责客房清洁",0891-7654321,\r\n';
    const { rows, problems } = parseJobsCsv(Buffer.from(csv, 'utf8'), NOW);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([2, 5]);
    const [a, b] = rows;
    expect(a?.input.title).toEqual({ 'zh-CN': '保安', bo: 'སྲུང་སྐྱོབ་པ' });
    expect(a?.input.employer).toBe('拉萨某物业公司, 城关分公司');
    expect(a?.input.description['zh-CN']).toBe('夜班，\n包住宿');
    expect(a?.input.contact).toBe('电话 0891-1234567","');
    expect(a?.input.category).toBe('security');
    // A date is the end of that day in Lhasa (UTC+8).
    expect(a?.input.expiresAt?.toISOString()).toBe('2025-06-30T15:59:59.999Z');
    expect(b?.input.title).toEqual({ 'zh-CN': '保洁员' });
    expect(b?.input.category).toBeUndefined();
    expect(b?.input.expiresAt).toBeUndefined();
  });

  it('reports every problem by line and column, with the header as the file writes it', () => {
    const csv = [
      '岗位名称,用人单位,区县,类别,岗位描述,联系方式,截止日期',
      '保安,某公司,北京,security,夜班,0891-1,2025-07-01',
      ',某公司,城关区,security,夜班,0891-1,2025-07-01',
      '保安,某公司,城关区,Not A Slug,夜班,0891-1,2025-05-01',
      '保安,某公司,城关区',
      `保安,某公司,城关区,,${'长'.repeat(2001)},0891-1,`,
    ].join('\n');
    const { rows, problems } = parseJobsCsv(csv, NOW);
    expect(rows).toHaveLength(0);
    const seen = problems.map((p) => `${p.line} ${p.column}/${p.field}: ${p.message}`);
    expect(seen).toEqual([
      expect.stringMatching(/^2 区县\/district: expected one of 城关区/),
      '3 岗位名称/title: required',
      '4 类别/category: expected a lower-case slug (a-z, 0-9, -)',
      '4 截止日期/expiresAt: in the past',
      '5 /: expected 7 fields, found 3',
      '6 岗位描述/description: at most 2000 characters',
    ]);
  });

  it('names a Tibetan column that is not Tibetan, and unknown or missing columns', () => {
    const bad = parseJobsCsv(`${HEAD},title_bo\n保安,某公司,城关区,,夜班,0891,,保安\n`, NOW);
    expect(bad.problems).toEqual([
      { line: 2, field: 'title_bo', column: 'title_bo', message: 'expected Tibetan text' },
    ]);
    const header = parseJobsCsv('title,salary,district\n保安,5000,城关区\n', NOW);
    expect(header.problems.filter((p) => p.line === 1).map((p) => p.message)).toEqual([
      'unknown column "salary"',
      'missing column',
      'missing column',
      'missing column',
    ]);
  });

  it('reports text that is not UTF-8, an unclosed quote, and a file without rows', () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${HEAD}\n`),
      Buffer.from([0xb1, 0xa3, 0xb0, 0xb2, 0x0a]), // 保安 in GBK
    ]);
    expect(parseJobsCsv(latin1, NOW).problems).toEqual([
      { line: 2, field: '', column: '', message: 'not UTF-8 text' },
    ]);
    const unclosed = parseJobsCsv(`${HEAD}\n保安,某公司,城关区,,夜班,0891,\n"保洁,某公司\n`, NOW);
    expect(unclosed.problems).toEqual([
      { line: 3, field: '', column: '', message: 'a quoted field is not closed' },
    ]);
    expect(parseJobsCsv('', NOW).problems[0]?.message).toBe('no header row');
    expect(parseJobsCsv(`${HEAD}\n\n`, NOW).problems[0]).toMatchObject({
      line: 2,
      message: 'no rows to import',
    });
  });
});

describe('parseExpiry', () => {
  it('takes an instant with its offset or a real calendar date', () => {
    expect(parseExpiry('2025-07-01T09:00:00+08:00')?.toISOString()).toBe(
      '2025-07-01T01:00:00.000Z',
    );
    expect(parseExpiry('2025/7/1')?.toISOString()).toBe('2025-07-01T15:59:59.999Z');
    expect(parseExpiry('2025-02-30')).toBeNull();
    expect(parseExpiry('2025-07-01T09:00:00')).toBeNull();
    expect(parseExpiry('next week')).toBeNull();
  });
});
