/**
 * The knowledge scripts as a user runs them: `npm run -s qa` writes exactly one JSON line per
 * input on stdout and nothing else; `kb:check` fails on a bad card. Uses a temporary card
 * directory, so it does not depend on the evolving knowledge/cards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

function card(
  id: string,
  topic: string,
  zh: string[],
  bo: string[],
  title = zh[0],
): Record<string, unknown> {
  const text = { 'zh-CN': `${title}的说明。`, bo: `${bo[0]}་ཡི་འགྲེལ་བཤད།` };
  return {
    id,
    topic,
    region: 'lhasa',
    reviewedAt: '2026-01-01',
    source: { 'zh-CN': '测试', bo: 'ཚོད་ལྟ' },
    title: { 'zh-CN': title, bo: bo[0] },
    short: text,
    details: text,
    where: text,
    keywords: { 'zh-CN': zh, bo },
  };
}

function cardDir(cards: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-'));
  for (const c of cards) writeFileSync(join(dir, `${String(c.id)}.json`), JSON.stringify(c));
  return dir;
}

const CARDS = [
  card(
    'ui',
    'unemployment-insurance',
    ['失业保险金', '领失业金'],
    ['ལས་ཤོར་ཉེན་འགོག་དངུལ', 'ཉེན་འགོག་དངུལ'],
  ),
  card('cv', 'resume-writing', ['简历', '写简历'], ['ལོ་རྒྱུས་མདོར་བསྡུས', 'ལོ་རྒྱུས་འབྲི']),
];

describe('npm run -s qa', () => {
  it('answers every input line on stdout, bad lines included, and nothing else', () => {
    const input = [
      JSON.stringify({ id: 'a', lang: 'zh-CN', text: '失业金怎么领' }),
      'not json',
      JSON.stringify({ id: 'b', lang: 'bo', text: 'ལོ་རྒྱུས་མདོར་བསྡུས་ཇི་ལྟར་འབྲི་དགོས།' }),
      JSON.stringify({ id: 'c', lang: 'xx', text: '?' }),
      JSON.stringify({ id: 'd', lang: 'zh-CN', text: '今天天气怎么样' }),
      JSON.stringify({ id: 'e', lang: 'zh-CN', text: '我不想活了' }),
      // No lexicon phrase: the learnt model (knowledge/distress) recognises it.
      JSON.stringify({
        id: 'f',
        lang: 'bo',
        text: 'ང་ད་ནས་མུ་མཐུད་འཚོ་མི་ཐུབ། མི་ཚེ་ལ་དོན་སྙིང་ཅི་ཡང་མི་འདུག',
      }),
    ].join('\n');
    const r = spawnSync('npm', ['run', '-s', 'qa', '--', cardDir(CARDS)], {
      cwd: ROOT,
      input,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    expect(lines.map((l) => [l.id, l.topic])).toEqual([
      ['a', 'unemployment-insurance'],
      [null, 'none'],
      ['b', 'resume-writing'],
      ['c', 'none'],
      ['d', 'none'],
      ['e', 'psychological-support'],
      ['f', 'psychological-support'],
    ]);
    expect(lines.map((l) => l.distress)).toEqual([false, false, false, false, false, true, true]);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['confidence', 'distress', 'id', 'topic']);
      expect(l.confidence).toBeGreaterThanOrEqual(0);
      expect(l.confidence).toBeLessThanOrEqual(1);
    }
    expect(lines[1]?.confidence).toBe(0);
    expect(r.stderr).toContain('line 2');
  });
});

describe('npm run kb:check', () => {
  it('fails on a misspelt Tibetan syllable, a future date and missing topics', () => {
    const bad = card('bad', 'complaint', ['投诉'], ['ཀྐྐ་ཞུ་གཏུག']);
    const future = {
      ...card('future', 'complaint', ['意见'], ['བསམ་འཆར']),
      reviewedAt: '2999-01-01',
    };
    const r = spawnSync('npm', ['run', '-s', 'kb:check', '--', cardDir([...CARDS, bad, future])], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('hunspell-bo rejects the syllable ཀྐྐ');
    expect(r.stderr).toContain('in the future');
    expect(r.stderr).toContain('no card for topic job-search');
    expect(r.stdout).toMatch(/cards: 3 valid of 4 files/); // the future-dated card is refused
  });

  it('fails on an example copied from an evaluation set, a repeat or an unknown topic', () => {
    const dev = readFileSync(join(ROOT, 'knowledge', 'eval', 'dev.jsonl'), 'utf8');
    const copied = JSON.parse(dev.split('\n')[0]!) as { text: string };
    const dir = mkdtempSync(join(tmpdir(), 'lamton-examples-'));
    const line = (id: string, text: string, topic: string): string =>
      JSON.stringify({ id, lang: 'zh-CN', text, topic });
    writeFileSync(
      join(dir, 'a.jsonl'),
      [
        line('1', copied.text, 'difficulty-identification'),
        line('2', '工钱拖了三个月', 'labor-rights'),
        line('3', '工钱拖了三个月', 'labor-rights'),
        line('4', '发工资', 'wages'),
        line('5', '我手机13912345678，帮我找个活', 'job-search'),
      ].join('\n'),
    );
    const r = spawnSync('npm', ['run', '-s', 'kb:check', '--', cardDir(CARDS), dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('examples/a.jsonl:1: copied from an evaluation set');
    expect(r.stderr).toContain('examples/a.jsonl:3: the same text is already an example');
    expect(r.stderr).toMatch(/examples\/a\.jsonl:4: topic/);
    expect(r.stderr).toContain('examples/a.jsonl:5: contains a phone or ID number');
    expect(r.stderr).not.toContain('a.jsonl:2');
  });
});
