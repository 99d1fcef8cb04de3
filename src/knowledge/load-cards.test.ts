import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCardsFromDir } from './load-cards.js';

const valid = {
  id: 'ok-card',
  topic: 'complaint',
  region: 'lhasa',
  reviewedAt: '2026-01-01',
  source: { 'zh-CN': '来源', bo: 'ཁུངས' },
  title: { 'zh-CN': '投诉', bo: 'ཞུ་གཏུག' },
  short: { 'zh-CN': '可以投诉。', bo: 'ཞུ་གཏུག་ཞུ་ཆོག' },
  details: { 'zh-CN': '可以投诉。', bo: 'ཞུ་གཏུག་ཞུ་ཆོག' },
  where: { 'zh-CN': '12333', bo: '12333 ལ་ཁ་པར་གཏོང' },
  keywords: { 'zh-CN': ['投诉'], bo: ['ཞུ་གཏུག'] },
};

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cards-'));
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

describe('loadCardsFromDir', () => {
  it('loads valid cards', () => {
    expect(
      loadCardsFromDir(dirWith({ 'ok-card.json': valid, 'notes.txt': 'x' })).map((c) => c.id),
    ).toEqual(['ok-card']);
  });

  it.each([
    ['bad.json', '{', /bad\.json: not valid JSON/],
    ['other.json', valid, /other\.json: id "ok-card" does not match the file name/],
    ['ok-card.json', { ...valid, topic: 'weather' }, /ok-card\.json: topic/],
    [
      'ok-card.json',
      { ...valid, title: { 'zh-CN': '投诉', bo: '投诉' } },
      /title\.bo: Tibetan text contains Chinese/,
    ],
    ['ok-card.json', { ...valid, reviewedAt: '2026-02-30' }, /reviewedAt/],
    ['ok-card.json', { ...valid, short: { 'zh-CN': ' ', bo: 'ཀ' } }, /short\.zh-CN/],
  ])('names the file and the problem (%s)', (name, body, message) => {
    expect(() => loadCardsFromDir(dirWith({ [name]: body }))).toThrow(message);
  });

  it('reports and skips bad cards when asked to', () => {
    const bad: string[] = [];
    const cards = loadCardsFromDir(dirWith({ 'ok-card.json': valid, 'bad.json': '{' }), {
      onInvalid: (f) => bad.push(f),
    });
    expect(cards).toHaveLength(1);
    expect(bad).toEqual(['bad.json']);
  });
});
