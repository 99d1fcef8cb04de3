import type { PolicyCard } from './card.schema.js';
import { bestFirst, byTopic, calibrate, type Scored } from './calibrate.js';
import type { TopicClassifier } from './classifier.js';
import { detectDistress } from './distress.js';
import { buildLang, zhAnchors, type LangIndex, type Phrase } from './lang-index.js';
import { analyzeQuery, type QuerySentence } from './query.js';
import { OFFTOPIC_BO, OFFTOPIC_ZH, type Cue } from './offtopic.js';
import { boForm, scriptOf, TIBETAN, type Script } from './script.js';
import { BIGRAM_WEIGHT, normalizeText } from './tokenize.js';

export type Lang = 'zh-CN' | 'bo';

export interface SearchHit {
  card: PolicyCard;
  /** BM25F score plus keyword-phrase bonus; comparable within one question only. */
  score: number;
}

/** What the assistant should do with a question. `confidence` is in 0–1. */
export type Decision =
  | { kind: 'answer'; card: PolicyCard; confidence: number }
  | { kind: 'clarify'; options: PolicyCard[]; confidence: number }
  | { kind: 'decline'; confidence: number }
  | { kind: 'distress' };

export interface KnowledgeIndex {
  readonly cards: readonly PolicyCard[];
  /** Cards ranked for `text`, best first (only cards with some evidence). */
  search(text: string, lang?: Lang): SearchHit[];
  /** Answer, ask which of a few cards is meant, decline, or hand over to distress support. */
  decide(text: string, lang: Lang): Decision;
  /** The evidence behind the ranking (for tuning and kb:check), best first. */
  explain(text: string, lang?: Lang): Explanation[];
}

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

/** A word only the details mention explains the question less (share of its coverage). */
const DETAILS_COVERAGE = 0.4;
/** How much of a card's score stands regardless of coverage (the rest scales with it). */
const COVERAGE_FLOOR = 0.5;
/** Share of a contiguous keyword's own weight added when it appears as a whole in the question. */
const PHRASE_BONUS = 0.7;
/** What a topical Chinese character pair that is not a word counts as evidence. */
const HALF_UNIT = 0.5;

/** What a concept named in everyday words counts, against the concept's own words. */
const CONCEPT_WEIGHT = 0.7;

/**
 * What one Tibetan syllable of a question counts, against syllable bigrams and keyword phrases:
 * common syllables (ལས, ཀ, དངུལ) are shared by many cards and would otherwise pull the question
 * towards whichever card repeats them most; the pairs carry the meaning.
 */
const BO_SYLLABLE_WEIGHT = 0.5;

/** Decision thresholds (calibrated on the dev set, knowledge/eval/tuning.jsonl and hand-made paraphrases). */
export const THRESHOLDS = { answer: 0.5, decline: 0.45, close: 0.82, option: 0.6 } as const;

const LANG_OF: Record<Exclude<Script, 'latin'>, Lang> = { zh: 'zh-CN', bo: 'bo' };

export interface IndexOptions {
  /** Learnt from labelled example questions (knowledge/examples): decides when it is sure. */
  classifier?: TopicClassifier;
  settings?: ClassifierSettings;
}

/**
 * When the classifier decides: its top topic has probability `sure` or more, and at least `known`
 * of the text (feature norm, 0–1) is made of words it has seen (on unseen words its answer would
 * only be its bias). Chosen by cross-validation on knowledge/examples before any unseen set was
 * run; `npm run eval:qa` prints the cross-validation.
 */
export interface ClassifierSettings {
  sure: number;
  known: number;
}
export const CLASSIFIER: ClassifierSettings = { sure: 0.6, known: 0.5 };

export function createKnowledgeIndex(
  cards: PolicyCard[],
  options: IndexOptions = {},
): KnowledgeIndex {
  const { classifier, settings = CLASSIFIER } = options;
  const topicCards = cardsByTopic(cards, classifier);
  const langs: Record<Lang, LangIndex> = {
    'zh-CN': buildLang(cards, 'zh-CN'),
    bo: buildLang(cards, 'bo'),
  };
  // Which cards say what they are about with each off-topic word (a card about medical insurance
  // during unemployment names 医保 in its title): those cards lose nothing for it. A word only
  // the details mention in passing (养老金 in a note) does not make the card about it.
  const cueCards = new Map<string, Set<number>>();
  cards.forEach((card, ci) => {
    const about = (lang: Lang): string =>
      [...card.keywords[lang], card.title[lang], card.short[lang]].join('\n');
    const zh = normalizeText(about('zh-CN'));
    const bo = boForm(about('bo'));
    // A cue of several words (低保+多少) is the card's own only when it names the other service
    // in its keywords or title: a summary saying "not the same as 低保" does not count.
    const named = (lang: Lang): string => [...card.keywords[lang], card.title[lang]].join('\n');
    const namedZh = normalizeText(named('zh-CN'));
    const namedBo = boForm(named('bo'));
    const has = (p: string, zhText: string, boText: string): boolean =>
      TIBETAN.test(p) ? boText.includes(p) : zhText.includes(p);
    for (const cues of [OFFTOPIC_ZH, OFFTOPIC_BO]) {
      for (const c of cues) {
        const own =
          c.parts.length === 1
            ? has(c.parts[0]!, zh, bo)
            : has(c.parts[0]!, namedZh, namedBo) && c.parts.every((p) => has(p, zh, bo));
        if (!own) continue;
        const set = cueCards.get(c.cue) ?? new Set<number>();
        set.add(ci);
        cueCards.set(c.cue, set);
      }
    }
  });

  function score(sentences: QuerySentence[], lang: Lang | undefined): Scored[] {
    // weight: for the score; cover: for coverage, where the story around a question counts even
    // less (its unknown words say little about whether the question is on topic).
    const query = new Map<
      string,
      {
        weight: number;
        cover: number;
        unit: boolean;
        half: boolean;
        bigram: boolean;
        script: Script;
      }
    >();
    // Evidence units count only from the question itself (or a short message's other clause).
    const unitFocus = 0.5;
    const forms = sentences;
    /**
     * Adds a query term (keeping its heaviest occurrence). A unit of evidence is a Chinese word,
     * or two Tibetan content syllables together (most Tibetan words have two syllables; one
     * alone is too ambiguous). A Chinese character pair that is not a word of the question is
     * half a unit: the segmenter leaves names and colloquial words in single characters (堆|龙,
     * 登|个|记); concept terms never are.
     */
    const addTerm = (
      term: string,
      termWeight: number,
      w: number,
      sentenceWeight: number,
      concept: boolean,
    ): void => {
      const prev = query.get(term);
      if (prev && prev.weight >= w) return;
      const script = scriptOf(term);
      const bigram = script === 'bo' ? term.includes('\u0F0B') : termWeight < 1;
      const focused = sentenceWeight >= unitFocus;
      const unit = focused && (script === 'bo' ? bigram && termWeight >= BIGRAM_WEIGHT : !bigram);
      const half = !concept && focused && script === 'zh' && bigram && termWeight === BIGRAM_WEIGHT;
      query.set(term, { weight: w, cover: w * sentenceWeight, unit, half, bigram, script });
    };
    // Everyday words that name a concept: unknown to the cards, but explained by the concept.
    const explained: string[] = [];
    sentences.forEach((s) => {
      for (const c of s.concepts) {
        explained.push(...c.triggers);
        for (const t of c.terms)
          addTerm(t.term, t.weight, t.weight * s.weight * CONCEPT_WEIGHT, s.weight, true);
      }
    });
    for (const s of sentences) {
      for (const t of s.terms) {
        const syllable = scriptOf(t.term) === 'bo' && !t.term.includes('\u0F0B');
        addTerm(
          t.term,
          t.weight,
          t.weight * s.weight * (syllable ? BO_SYLLABLE_WEIGHT : 1),
          s.weight,
          false,
        );
      }
    }
    let boTerms = 0;
    let zhTerms = 0;
    for (const q of query.values()) {
      if (q.script === 'bo') boTerms++;
      else if (q.script === 'zh') zhTerms++;
    }
    const tibetan = boTerms > zhTerms;
    const latinLang: Lang = lang ?? (boTerms > 0 && zhTerms === 0 ? 'bo' : 'zh-CN');

    const acc = cards.map((card, i) => ({
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
    for (const [term, q] of query) {
      const li = langs[q.script === 'latin' ? latinLang : LANG_OF[q.script]];
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
    sentences.forEach((s, si) => {
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
      const { zh, bo } = forms[si]!;
      if (zh) collect(langs['zh-CN'], zh, zhAnchors(zh));
      if (bo) collect(langs.bo, bo, bo.split('\u0F0B'));
      for (const [ci, hits] of best) {
        hits.sort((x, y) => y - x);
        const a = acc[ci]!;
        a.phrase = Math.max(a.phrase, s.weight * ((hits[0] ?? 0) + 0.5 * (hits[1] ?? 0)));
      }
    });
    // Words of other services: each one the card never mentions takes confidence away. Only in
    // what is asked: a story may well mention the children's school or a hospital stay.
    const asked = forms.filter((_, si) => sentences[si]!.weight >= 1);
    const zhText = asked.map((f) => f.zh).join('\n');
    const boText = asked
      .map((f) => f.bo)
      .filter(Boolean)
      .join('\n');
    const found = (c: Cue): boolean =>
      c.parts.every((p, k) => (c.tibetan[k] ? boText.includes(p) : zhText.includes(p)));
    const cues = [...OFFTOPIC_ZH.filter(found), ...(boText ? OFFTOPIC_BO.filter(found) : [])].map(
      (c) => c.cue,
    );
    return acc
      .filter((a) => a.score > 0 || a.phrase > 0)
      .map((a) => {
        const offtopic = cues.filter((c) => !cueCards.get(c)?.has(a.i)).length;
        const coverage = total > 0 ? Math.min(1, a.matched / total) : 0;
        // A card that explains every part of the question beats one that matches a part very
        // well (参加职业技能培训有补贴吗: the subsidy card, not the course list).
        const score =
          (a.score + PHRASE_BONUS * a.phrase) * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * coverage);
        return { ...a, score, coverage, tibetan, offtopic };
      })
      .filter((a) => a.score > 0)
      .sort(bestFirst);
  }

  return {
    cards,
    search: (text, lang) =>
      score(analyzeQuery(text), lang).map(({ card, score: s }) => ({ card, score: s })),
    explain: (text, lang) =>
      score(analyzeQuery(text), lang).map(
        ({ card, score: s, coverage, words, specific, topical, phrase, tibetan, offtopic }) => {
          const scored = {
            card,
            score: s,
            coverage,
            words,
            specific,
            topical,
            phrase,
            tibetan,
            offtopic,
          };
          return { ...scored, confidence: round(calibrate(scored)) };
        },
      ),
    decide(text, lang) {
      if (detectDistress(text)) return { kind: 'distress' };
      const query = analyzeQuery(text);
      const scored = score(query, lang);
      const learnt = classifier && sureTopic(classifier, query, settings);
      if (learnt && (learnt.topic === 'none' || topicCards.has(learnt.topic))) {
        const confidence = round(learnt.p);
        if (learnt.topic === 'none') return { kind: 'decline', confidence };
        // The best-ranked card of that topic; with no words in common, the person picks one.
        const best = scored.find((s) => s.card.topic === learnt.topic)?.card;
        const own = topicCards.get(learnt.topic)!;
        if (best || own.length === 1) return { kind: 'answer', card: best ?? own[0]!, confidence };
        return { kind: 'clarify', options: own.slice(0, 3), confidence };
      }
      const ranked = byTopic(scored);
      const top = ranked[0];
      if (!top) return { kind: 'decline', confidence: 1 };
      const confidence = calibrate(top);
      if (confidence < THRESHOLDS.decline)
        return { kind: 'decline', confidence: round(1 - confidence) };
      // Only another topic is a reason to ask: two cards of one topic agreeing is evidence.
      const close = ranked.filter((r) => r !== top && r.score >= THRESHOLDS.close * top.score);
      if (close.length > 0 || confidence < THRESHOLDS.answer) {
        const options = ranked.filter((r) => r.score >= THRESHOLDS.option * top.score).slice(0, 3);
        if (options.length >= 2)
          return {
            kind: 'clarify',
            options: options.map((o) => o.card),
            confidence: round(confidence),
          };
        if (confidence < THRESHOLDS.answer)
          return { kind: 'decline', confidence: round(1 - confidence) };
      }
      return { kind: 'answer', card: top.card, confidence: round(confidence) };
    },
  };
}

/**
 * Each topic's cards, the ones most like what people ask about the topic first (by the
 * classifier's probability of the topic for the card's title and summary): when a question names
 * none of a topic's cards, these are the ones offered.
 */
function cardsByTopic(
  cards: readonly PolicyCard[],
  classifier: TopicClassifier | undefined,
): Map<string, PolicyCard[]> {
  const typical = new Map<PolicyCard, number>(
    cards.map((c) => [
      c,
      classifier
        ?.predict([c.title['zh-CN'], c.short['zh-CN'], c.title.bo, c.short.bo].join('\n'))
        .posterior.get(c.topic) ?? 0,
    ]),
  );
  const out = new Map<string, PolicyCard[]>();
  for (const card of cards) out.set(card.topic, [...(out.get(card.topic) ?? []), card]);
  for (const list of out.values()) list.sort((a, b) => typical.get(b)! - typical.get(a)!);
  return out;
}

/**
 * The classifier's top topic when it is sure of it (`none` included) and knows enough of the
 * text's words: on words it never saw, its answer would only be its bias.
 */
function sureTopic(
  classifier: TopicClassifier,
  query: QuerySentence[],
  settings: ClassifierSettings,
): { topic: string; p: number } | null {
  const { posterior, known } = classifier.predict(query);
  if (known < settings.known) return null;
  let top: { topic: string; p: number } | null = null;
  for (const [topic, p] of posterior) if (!top || p > top.p) top = { topic, p };
  return top && top.p >= settings.sure ? top : null;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
