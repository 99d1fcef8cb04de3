import type { PolicyCard } from './card.schema.js';

/** What the knowledge pipeline decides and why: the types its parts and callers share. */

export interface SearchHit {
  card: PolicyCard;
  /** BM25F score plus keyword-phrase bonus; comparable within one question only. */
  score: number;
}

/** What the assistant should do with a question. `confidence` is in 0–1. */
export type Decision =
  /** `related`: another card the question's situation makes worth a mention (related.ts). */
  | { kind: 'answer'; card: PolicyCard; confidence: number; related?: PolicyCard }
  | { kind: 'clarify'; options: PolicyCard[]; confidence: number }
  | { kind: 'decline'; confidence: number; reason: 'offtopic' | 'unsure' }
  /**
   * Care first (12356, a counsellor). `answer`: the card the message also asked about (失业金怎么领，
   * 反正我也不想活了), answered after the care.
   */
  | { kind: 'distress'; answer?: PolicyCard };

/** Why a card ranks where it does. */
export interface Explanation extends SearchHit {
  /** share of the question's weight (idf × focus) this card matches */
  coverage: number;
  /** matched words or syllables (not bigrams), and how many of them are rare among cards */
  words: number;
  specific: number;
  /** matched words that belong to at most a fifth of the topics */
  topical: number;
  /** the question is mostly Tibetan (syllable matches are weaker evidence word by word) */
  tibetan: boolean;
  /** best keyword-phrase hit (rarity × length × focus), 0 when no keyword appears whole */
  phrase: number;
  /** words of other services in the question (lexicon.json offtopic) that this card never mentions */
  offtopic: number;
  /** calibrated confidence were this card the top one */
  confidence: number;
}
