import lexicon from './lexicon.json' with { type: 'json' };
import { fold } from './tokenize.js';

interface Rule {
  card: string;
  zh: RegExp;
  bo: RegExp;
}

const RULES: readonly Rule[] = lexicon.related.rules.map((r) => ({
  card: r.card,
  zh: new RegExp(r['zh-CN'].join('|'), 'u'),
  bo: new RegExp(r.bo.join('|'), 'u'),
}));

/**
 * Ids of cards worth mentioning beside an answer (lexicon.json `related`): 我五十多了还能找到活吗 is
 * about finding work, but at 50 a man may be recognised as having employment difficulties, and
 * that card says what help follows.
 */
export function relatedCardIds(text: string): string[] {
  const folded = fold(text);
  return RULES.filter((r) => r.zh.test(folded) || r.bo.test(folded)).map((r) => r.card);
}
