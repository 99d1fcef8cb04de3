import type { Scored } from './calibrate.js';
import type { PolicyCard } from './card.schema.js';
import type { Prediction } from './classifier.js';
import type { QuerySentence } from './query.js';

/**
 * One or two words (补贴, 登记, ཧྲི་ཡེ་ཅིན) name a subject, not a question: the person picks from
 * the likely topics rather than getting an apology or a guess.
 */
/** A message of at most this many reading units (Han characters, Tibetan syllables) in one sentence. */
export const SHORT_QUESTION = 6;

export function isShort(query: QuerySentence[]): boolean {
  if (query.length !== 1) return false;
  const s = query[0]!;
  const units =
    (s.zh.match(/\p{Script=Han}/gu)?.length ?? 0) + (s.bo.match(/[\u0F40-\u0FBC]+/gu)?.length ?? 0);
  return units > 0 && units <= SHORT_QUESTION;
}

/** How sure the classifier must be to answer a message of one or two words outright. */
export const SHORT_SURE = 0.85;

/** Share of the top topic's probability a topic needs to be offered beside it in a pick-list. */
const PICK_SHARE = 0.15;

/**
 * Up to three cards of different topics a short message most likely means: the classifier's
 * likeliest topics when it knows the words, else the ranking's; each topic's best-ranked card.
 */
export function pickList(
  ranked: readonly Scored[],
  prediction: Prediction | undefined,
  topicCards: ReadonlyMap<string, PolicyCard[]>,
  /** how much of the text the classifier must know to be listened to (CLASSIFIER.known) */
  minKnown: number,
): PolicyCard[] {
  const bestOf = (topic: string): PolicyCard | undefined =>
    ranked.find((r) => r.card.topic === topic)?.card ?? topicCards.get(topic)?.[0];
  if (prediction && prediction.known >= minKnown) {
    const likely = [...prediction.posterior].sort((a, b) => b[1] - a[1]);
    // Most likely off-topic (写一首诗): no list to pick from.
    if (likely[0]?.[0] === 'none') return [];
    const first = likely[0]?.[1] ?? 0;
    const topics = likely
      .filter(([t, p]) => t !== 'none' && p >= PICK_SHARE * first)
      .slice(0, 3)
      .map(([t]) => t);
    const cards = topics.map(bestOf).filter((c): c is PolicyCard => c !== undefined);
    if (cards.length >= 2) return cards;
  }
  // The ranking's topics, when the words are ones few topics use and none is another service's.
  return ranked
    .slice(0, 3)
    .filter((r) => r.topical > 0 && r.offtopic === 0)
    .map((r) => r.card);
}
