import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TOPICS } from './card.schema.js';
import { createKnowledgeIndex } from './index.js';
import { loadCardsFromDir } from './load-cards.js';
import { topicOf } from './qa-line.js';
import { shippedKnowledge } from './shipped.js';

const DIR = join(fileURLToPath(import.meta.url), '..', '..', '..', 'knowledge', 'cards');

// The real knowledge base grows over time: only structural facts are asserted here, never
// particular cards or scores.
describe('knowledge/cards', () => {
  const cards = loadCardsFromDir(DIR);
  const index = createKnowledgeIndex(cards);

  it.each(TOPICS)('topic %s has a card that its own titles find, in both languages', (topic) => {
    const mine = cards.filter((c) => c.topic === topic);
    expect(mine.length, `no card for ${topic}`).toBeGreaterThan(0);
    for (const lang of ['zh-CN', 'bo'] as const) {
      const found = mine.some((c) => topicOf(index.decide(c.title[lang], lang)).topic === topic);
      expect(found, `${topic}: no ${lang} title leads back to the topic`).toBe(true);
    }
  });
});

describe('the shipped knowledge (cards and the classifier learnt from knowledge/examples)', () => {
  const index = shippedKnowledge(join(DIR, '..', '..'), (file, problem) => {
    throw new Error(`${file}: ${problem}`);
  }).index;

  it('never throws and stays in range on any text', () => {
    for (const [text, lang] of [
      ['', 'zh-CN'],
      ['🙂🙂🙂 👍', 'zh-CN'],
      ['\u0000\u0007\u001b[31m\u200B', 'zh-CN'],
      ['ན'.repeat(4096), 'bo'],
      [`${'ལས་ཀ་མེད། '.repeat(400)}`, 'bo'],
      ['失业金'.repeat(1500), 'zh-CN'],
      ['a'.repeat(5000), 'bo'],
      ['１２３３３？？？', 'zh-CN'],
      ['\uD800 lone surrogate', 'zh-CN'],
    ] as const) {
      const d = index.decide(text, lang);
      if (d.kind !== 'distress') {
        expect(d.confidence, text.slice(0, 20)).toBeGreaterThanOrEqual(0);
        expect(d.confidence, text.slice(0, 20)).toBeLessThanOrEqual(1);
      }
      if (d.kind === 'clarify') expect(d.options.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('declines empty or meaningless text rather than guessing a topic', () => {
    for (const text of ['', '🙂🙂🙂', '？？？', '...'])
      expect(index.decide(text, 'zh-CN').kind, text).toBe('decline');
  });
});
