import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TOPICS } from './card.schema.js';
import { createKnowledgeIndex } from './index.js';
import { loadCardsFromDir } from './load-cards.js';
import { topicOf } from './qa-line.js';

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
