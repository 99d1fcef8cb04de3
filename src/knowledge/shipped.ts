import { join } from 'node:path';
import type { PolicyCard } from './card.schema.js';
import { distressModelFromDirs } from './distress-examples.js';
import { classifierFromDir } from './examples.js';
import { createKnowledgeIndex, type KnowledgeIndex } from './index.js';
import { loadCardsFromDir } from './load-cards.js';

/**
 * The knowledge shipped in `root`/knowledge, for the command-line tools (qa, eval, bench): the
 * cards in knowledge/cards (bad ones reported and skipped) and an index with the classifier
 * learnt from knowledge/examples. The running service reads the cards from MongoDB instead.
 */
export function shippedKnowledge(
  root: string,
  onInvalidCard: (file: string, problem: string) => void,
  cardsDir = join(root, 'knowledge', 'cards'),
): { cards: PolicyCard[]; index: KnowledgeIndex } {
  const cards = loadCardsFromDir(cardsDir, { onInvalid: onInvalidCard });
  const examples = join(root, 'knowledge', 'examples');
  const classifier = classifierFromDir(examples);
  const distress = distressModelFromDirs(join(root, 'knowledge', 'distress'), examples);
  return { cards, index: createKnowledgeIndex(cards, { classifier, distress }) };
}
