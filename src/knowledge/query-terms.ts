import type { QuerySentence } from './query.js';
import { scriptOf, type Script } from './script.js';
import { BIGRAM_WEIGHT } from './tokenize.js';

/** One distinct term of a question, at its heaviest occurrence. */
export interface QueryTerm {
  /** for the score */
  weight: number;
  /** for coverage, where the story around a question counts even less */
  cover: number;
  /** a unit of evidence (see queryTerms) */
  unit: boolean;
  /** half a unit: a Chinese character pair that is not a word */
  half: boolean;
  bigram: boolean;
  script: Script;
}

/** What a concept named in everyday words counts, against the concept's own words. */
const CONCEPT_WEIGHT = 0.7;
/**
 * What one Tibetan syllable of a question counts, against syllable bigrams and keyword phrases:
 * common syllables (ལས, ཀ, དངུལ) are shared by many cards and would otherwise pull the question
 * towards whichever card repeats them most; the pairs carry the meaning.
 */
const BO_SYLLABLE_WEIGHT = 0.5;
/** Evidence units count only from the question itself (or a short message's other clause). */
const UNIT_FOCUS = 0.5;

/**
 * The question's terms, each at its heaviest occurrence: the concepts its everyday words name
 * first, then its own words. A unit of evidence is a Chinese word, or two Tibetan content
 * syllables together (most Tibetan words have two syllables; one alone is too ambiguous). A
 * Chinese character pair that is not a word of the question is half a unit: the segmenter leaves
 * names and colloquial words in single characters (堆|龙, 登|个|记); concept terms never are.
 * `explained`: the everyday words a concept explains (unknown to the cards, yet not off-topic).
 */
export function queryTerms(sentences: readonly QuerySentence[]): {
  terms: Map<string, QueryTerm>;
  explained: string[];
} {
  const terms = new Map<string, QueryTerm>();
  const add = (
    term: string,
    termWeight: number,
    w: number,
    sentenceWeight: number,
    concept: boolean,
  ): void => {
    const prev = terms.get(term);
    if (prev && prev.weight >= w) return;
    const script = scriptOf(term);
    const bigram = script === 'bo' ? term.includes('\u0F0B') : termWeight < 1;
    const focused = sentenceWeight >= UNIT_FOCUS;
    const unit = focused && (script === 'bo' ? bigram && termWeight >= BIGRAM_WEIGHT : !bigram);
    const half = !concept && focused && script === 'zh' && bigram && termWeight === BIGRAM_WEIGHT;
    terms.set(term, { weight: w, cover: w * sentenceWeight, unit, half, bigram, script });
  };
  const explained: string[] = [];
  for (const s of sentences) {
    for (const c of s.concepts) {
      explained.push(...c.triggers);
      for (const t of c.terms)
        add(t.term, t.weight, t.weight * s.weight * CONCEPT_WEIGHT, s.weight, true);
    }
  }
  for (const s of sentences) {
    for (const t of s.terms) {
      const syllable = scriptOf(t.term) === 'bo' && !t.term.includes('\u0F0B');
      add(
        t.term,
        t.weight,
        t.weight * s.weight * (syllable ? BO_SYLLABLE_WEIGHT : 1),
        s.weight,
        false,
      );
    }
  }
  return { terms, explained };
}
