import { describe, expect, it } from 'vitest';
import { keywordForm, normalizeInput } from './normalize.js';
import { detectScript } from './script.js';
import { splitText } from './split-text.js';

describe('normalizeInput', () => {
  it('removes NUL, other controls and zero-width characters', () => {
    expect(normalizeInput('a\u0000b\u0007c\u200Bd\uFEFF')).toBe('abcd');
  });
  it('keeps newlines, collapses spaces, trims', () => {
    expect(normalizeInput('  你好 \u3000 世界\r\n\n\n\nok ')).toBe('你好 世界\n\nok');
  });
  it('drops lone surrogates but keeps emoji', () => {
    expect(normalizeInput('x\uD800y😀')).toBe('xy😀');
  });
  it('puts Tibetan into NFC so different keyboards match', () => {
    const decomposed = '\u0F71\u0F72'; // NFC composes nothing here but orders marks canonically
    expect(normalizeInput(`ཀ${decomposed}`)).toBe(`ཀ${decomposed}`.normalize('NFC'));
  });
});

describe('keywordForm', () => {
  it('folds case, the leading slash and a trailing tsheg or shad', () => {
    expect(keywordForm('/Menu')).toBe('menu');
    expect(keywordForm('དཀར་ཆག་')).toBe('དཀར་ཆག');
    expect(keywordForm('དཀར་ཆག།')).toBe('དཀར་ཆག');
    expect(keywordForm(' 菜单。')).toBe('菜单');
  });
});

describe('detectScript', () => {
  it('tells Tibetan from Chinese, and neither', () => {
    expect(detectScript('ལས་ཞུགས་ཀྱི་སྲིད་ཇུས།')).toBe('bo');
    expect(detectScript('失业登记在哪里办')).toBe('zh-CN');
    expect(detectScript('12333 ok 😀')).toBeNull();
    expect(detectScript('我想问 ལས་ཞུགས་ཀྱི་སྲིད་ཇུས་ཡོད་དམ།')).toBe('bo');
  });
});

describe('splitText', () => {
  const stack = 'བསྒྲུབས'; // several subjoined letters
  it('never cuts inside a Tibetan stack and keeps every character', () => {
    const text = `${stack}་`.repeat(1200);
    const parts = splitText(text, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p).toMatch(/་$/); // ends at a tsheg
      expect(p).not.toMatch(/^[\u0F71-\u0F84\u0F90-\u0FBC]/u); // never starts with a vowel sign or subjoined letter
    }
    expect(parts.join('')).toBe(text);
  });
  it('without any break, still cuts only between stacks', () => {
    const text = stack.repeat(800);
    const parts = splitText(text, 1000);
    expect(parts.join('')).toBe(text);
    for (const p of parts.slice(1)) expect(p).not.toMatch(/^[\u0F71-\u0F84\u0F90-\u0FBC]/u);
  });
  it('never splits a surrogate pair', () => {
    const parts = splitText('😀'.repeat(3000), 4096);
    expect(parts.join('')).toBe('😀'.repeat(3000));
    for (const p of parts) expect(p.isWellFormed()).toBe(true);
  });
  it('leaves short text alone', () => {
    expect(splitText('你好', 4096)).toEqual(['你好']);
  });
});

describe('lhasaMonth', () => {
  it('is the month in Lhasa (UTC+8), not in UTC', async () => {
    const { lhasaMonth } = await import('./lhasa-time.js');
    expect(lhasaMonth(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11');
    expect(lhasaMonth(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12');
    expect(lhasaMonth(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01');
  });
});
