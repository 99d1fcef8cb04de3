import type { Explanation } from './decision.js';

export type Scored = Omit<Explanation, 'confidence'>;

/** How much each word of another service (a mortgage, a hospital) lowers the logit. */
const OFFTOPIC_PENALTY = 2;
/** The share of that penalty left when the card has strong evidence of its own (see calibrate). */
const STRONG_OFFTOPIC_SHARE = 0.5;

/**
 * Highest score first; ties by card id in code-point order (not localeCompare: ICU collation
 * cost a tenth of the decision time).
 */
export function bestFirst(x: Scored, y: Scored): number {
  return y.score - x.score || (x.card.id < y.card.id ? -1 : x.card.id > y.card.id ? 1 : 0);
}

/** Share of the other cards' scores of one topic added to its best card's. */
const TOPIC_SUPPORT = 0.25;

/**
 * One entry per topic, best first: the topic's best card, its score raised by the other cards of
 * the topic that also fit (several cards of one topic agreeing make that topic more likely), and
 * the strongest evidence any of them has.
 */
export function byTopic(ranked: Scored[]): Scored[] {
  const topics = new Map<string, Scored>();
  const supported = new Set<string>();
  for (const r of ranked) {
    const t = topics.get(r.card.topic);
    if (!t) {
      topics.set(r.card.topic, { ...r });
      continue;
    }
    // One supporting card only: a topic with many cards should not win by their number.
    if (!supported.has(r.card.topic)) t.score += TOPIC_SUPPORT * r.score;
    supported.add(r.card.topic);
    t.words = Math.max(t.words, r.words);
    t.specific = Math.max(t.specific, r.specific);
    t.topical = Math.max(t.topical, r.topical);
  }
  return [...topics.values()].sort(bestFirst);
}

/**
 * Confidence that the top card answers the question: a logistic curve over how much of the
 * question the card explains (coverage), whether one of its keywords appears whole (phrase), how
 * many distinct words back it, and the raw score. Weights were fitted on the dev set plus a set
 * of hand-written paraphrases and off-topic questions. A question whose only evidence is one word
 * shared by several topics gets little: off-topic questions often share such a word with a card.
 */
export function calibrate(top: Scored): number {
  const evidence =
    top.phrase > 0 ||
    top.specific >= 1 ||
    top.words >= 2 ||
    ((top.topical >= 1 || top.tibetan) && top.coverage >= 0.6);
  if (!evidence) return Math.min(0.25, top.coverage * 0.3);
  // A card named by one of its own keyword phrases and by many words, two of them rare, is what a
  // long question is about: a hospital stay or the children's school in it is the story around it.
  const strong = top.phrase > 0 && top.specific >= 2 && top.words >= 4;
  const z =
    -2.1 +
    1.65 * top.coverage +
    1.0 * Math.min(1, top.phrase / 8) +
    1.55 * Math.min(1, top.words / 4) +
    0.25 * Math.min(1, top.specific / 2) +
    1.5 * (1 - Math.exp(-top.score / 10)) -
    OFFTOPIC_PENALTY * Math.min(2, top.offtopic) * (strong ? STRONG_OFFTOPIC_SHARE : 1);
  return 1 / (1 + Math.exp(-z));
}
