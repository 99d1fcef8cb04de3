import type { PolicyCard } from './card.schema.js';
import { bestFirst, type Scored } from './calibrate.js';
import type { Lang } from '../messaging/lang.js';
import { zhAnchors, type LangIndex, type Phrase } from './lang-index.js';
import { cuesAsked } from './offtopic.js';
import type { QuerySentence } from './query.js';
import { queryTerms } from './query-terms.js';
import type { Script } from './script.js';

/** What rank needs of an index. */
export interface RankIndex {
  cards: readonly PolicyCard[];
  langs: Record<Lang, LangIndex>;
  /** off-topic cue → the cards that are about it (they lose nothing for it) */
  cueCards: ReadonlyMap<string, ReadonlySet<number>>;
}

/** A word only the details mention explains the question less (share of its coverage). */
const DETAILS_COVERAGE = 0.4;
/** How much of a card's score stands regardless of coverage (the rest scales with it). */
const COVERAGE_FLOOR = 0.5;
/** Share of a contiguous keyword's own weight added when it appears as a whole in the question. */
const PHRASE_BONUS = 0.7;
/** What a topical Chinese character pair that is not a word counts as evidence. */
const HALF_UNIT = 0.5;

const LANG_OF: Record<Exclude<Script, 'latin'>, Lang> = { zh: 'zh-CN', bo: 'bo' };

interface Tally {
  i: number;
  card: PolicyCard;
  score: number;
  matched: number;
  words: number;
  specific: number;
  topical: number;
  phrase: number;
}

/**
 * Cards for a question, best first, with the evidence calibrate() weighs: BM25F over the
 * question's terms, keyword phrases found whole, coverage of the question, and words of other
 * services the card never mentions.
 */
export function rank(
  index: RankIndex,
  sentences: readonly QuerySentence[],
  lang: Lang | undefined,
): Scored[] {
  const { terms, explained } = queryTerms(sentences);
  let boTerms = 0;
  let zhTerms = 0;
  for (const q of terms.values()) {
    if (q.script === 'bo') boTerms++;
    else if (q.script === 'zh') zhTerms++;
  }
  const tibetan = boTerms > zhTerms;
  const latinLang: Lang = lang ?? (boTerms > 0 && zhTerms === 0 ? 'bo' : 'zh-CN');

  const acc: Tally[] = index.cards.map((card, i) => ({
    i,
    card,
    score: 0,
    matched: 0,
    words: 0,
    specific: 0,
    topical: 0,
    phrase: 0,
  }));
  let total = 0;
  for (const [term, q] of terms) {
    const li = index.langs[q.script === 'latin' ? latinLang : LANG_OF[q.script]];
    const idf = li.idf.get(term);
    // Unknown words count against coverage (the question is about something else); unknown
    // bigrams do not (they are mostly joins across word boundaries).
    if (idf === undefined) {
      if (!q.bigram && !explained.some((e) => e.includes(term))) total += q.cover * li.unknownIdf;
      continue;
    }
    total += q.cover * idf;
    for (const [ci, sat, primary] of li.postings.get(term) ?? []) {
      const a = acc[ci]!;
      a.score += q.weight * idf * sat;
      // A word only the details mention explains the question less, and is no evidence.
      a.matched += q.cover * idf * (primary ? 1 : DETAILS_COVERAGE);
      if (q.unit && primary) {
        a.words++;
        if (li.topical.has(term)) a.topical++;
        if (li.specific.has(term)) a.specific++;
      } else if (q.half && primary && li.topical.has(term)) {
        a.words += HALF_UNIT;
        a.topical += HALF_UNIT;
        if (li.specific.has(term)) a.specific += HALF_UNIT;
      }
    }
  }
  matchPhrases(index, sentences, acc);
  const cues = cuesAsked(sentences);
  return acc
    .filter((a) => a.score > 0 || a.phrase > 0)
    .map((a) => {
      const offtopic = cues.filter((c) => !index.cueCards.get(c)?.has(a.i)).length;
      const coverage = total > 0 ? Math.min(1, a.matched / total) : 0;
      // A card that explains every part of the question beats one that matches a part very
      // well (参加职业技能培训有补贴吗: the subsidy card, not the course list).
      const score =
        (a.score + PHRASE_BONUS * a.phrase) * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * coverage);
      // Spelt out: an object spread here was the costliest line of the whole decision.
      const scored: Scored = {
        card: a.card,
        score,
        coverage,
        words: a.words,
        specific: a.specific,
        topical: a.topical,
        phrase: a.phrase,
        tibetan,
        offtopic,
      };
      return scored;
    })
    .filter((a) => a.score > 0)
    .sort(bestFirst);
}

/** Each card's best keyword phrases found whole in a sentence (the best, plus half the next). */
function matchPhrases(index: RankIndex, sentences: readonly QuerySentence[], acc: Tally[]): void {
  for (const s of sentences) {
    const best = new Map<number, number[]>();
    const collect = (li: LangIndex, text: string, anchors: Iterable<string>): void => {
      const seen = new Set<Phrase>();
      for (const anchor of anchors) {
        for (const p of li.phrases.get(anchor) ?? []) {
          if (seen.has(p) || !text.includes(p.form)) continue;
          seen.add(p);
          for (const ci of p.cards) {
            const hits = best.get(ci);
            if (hits) hits.push(p.mass);
            else best.set(ci, [p.mass]);
          }
        }
      }
    };
    if (s.zh) collect(index.langs['zh-CN'], s.zh, zhAnchors(s.zh));
    if (s.bo) collect(index.langs.bo, s.bo, s.bo.split('\u0F0B'));
    for (const [ci, hits] of best) {
      hits.sort((x, y) => y - x);
      const a = acc[ci]!;
      a.phrase = Math.max(a.phrase, s.weight * ((hits[0] ?? 0) + 0.5 * (hits[1] ?? 0)));
    }
  }
}
