import type { PolicyCard } from './card.schema.js';
import type { TopicClassifier } from './classifier.js';
import lexicon from './lexicon.json' with { type: 'json' };
import { detectDistress } from './distress.js';
import { focusSentences } from './focus.js';
import {
  BIGRAM_WEIGHT,
  canonicalSyllables,
  concepts,
  isStopWord,
  normalizeText,
  tokenize,
} from './tokenize.js';

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

/** Card fields and how much a term found there counts (BM25F field weights). */
const FIELDS = [
  ['keywords', 3],
  ['title', 2],
  ['short', 1],
  ['details', 0.2],
] as const;
/** The first fields of FIELDS say what a card is about; the rest is background. */
const PRIMARY_FIELDS = 3;
const K1 = 1.2;
const DETAILS_COVERAGE = 0.4;
const SPECIFIC_TOPICS = 2;
/** How much of a card's score stands regardless of coverage (the rest scales with it). */
const COVERAGE_FLOOR = 0.5;
const B = 0.6;
/** Share of a contiguous keyword's own weight added when it appears as a whole in the question. */
const PHRASE_BONUS = 0.7;
/** Share of the cards above which a single Chinese character is no term at all. */
const COMMON_CHAR_CARDS = 0.6;
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

type Script = 'zh' | 'bo' | 'latin';
const HAN = /\p{Script=Han}/u;
const TIBETAN = /[\u0F40-\u0FBC]/u;
const LANG_OF: Record<Exclude<Script, 'latin'>, Lang> = { zh: 'zh-CN', bo: 'bo' };

interface Phrase {
  /** zh: normalised text; bo: canonical syllables joined by tsheg, wrapped in tshegs. */
  form: string;
  /** How much a whole hit is worth: its rarity among cards, times a length factor. */
  mass: number;
  /** indexes of the cards that list it as a keyword */
  cards: number[];
}

/** [card index, saturated term frequency, found in the card's keywords, title or summary] */
type Posting = [number, number, boolean];

interface LangIndex {
  postings: Map<string, Posting[]>;
  idf: Map<string, number>;
  unknownIdf: number;
  /** terms that name at most SPECIFIC_TOPICS topics (in keywords, title or summary) */
  specific: Set<string>;
  /** terms that name at most a fifth of the topics: backed by enough coverage, they are evidence */
  topical: Set<string>;
  /** every distinct keyword phrase of this language, by its anchor (see phraseAnchor) */
  phrases: Map<string, Phrase[]>;
}

export interface IndexOptions {
  /** Learnt from labelled example questions (knowledge/examples): decides when it is sure. */
  classifier?: TopicClassifier;
}

/**
 * The classifier's answer counts when its top topic has at least this probability. Chosen by
 * cross-validation on knowledge/examples (`npm run eval:qa` prints it), before any unseen set
 * was run.
 */
export const CLASSIFIER_SURE = 0.6;
/** …and when at least this much of the text (feature norm, 0–1) is made of words it has seen. */
export const CLASSIFIER_KNOWN = 0.5;

export function createKnowledgeIndex(
  cards: PolicyCard[],
  options: IndexOptions = {},
): KnowledgeIndex {
  const { classifier } = options;
  const topicCards = new Map<string, PolicyCard[]>();
  for (const card of cards)
    topicCards.set(card.topic, [...(topicCards.get(card.topic) ?? []), card]);
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

  function score(text: string, lang: Lang | undefined): Scored[] {
    const sentences = focusSentences(text);
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
    // Each sentence in the two forms phrases and concepts are matched in.
    const forms = sentences.map((s) => ({
      zh: HAN.test(s.text) ? normalizeText(s.text) : '',
      bo: TIBETAN.test(s.text) ? boForm(s.text) : '',
    }));
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
    sentences.forEach((s, si) => {
      const { zh, bo } = forms[si]!;
      for (const c of concepts(zh, bo)) {
        explained.push(...c.triggers);
        for (const t of c.terms)
          addTerm(t.term, t.weight, t.weight * s.weight * CONCEPT_WEIGHT, s.weight, true);
      }
    });
    for (const s of sentences) {
      for (const t of tokenize(s.text)) {
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
      .sort((x, y) => y.score - x.score || x.card.id.localeCompare(y.card.id));
  }

  return {
    cards,
    search: (text, lang) => score(text, lang).map(({ card, score: s }) => ({ card, score: s })),
    explain: (text, lang) =>
      score(text, lang).map(
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
      const scored = score(text, lang);
      const learnt = classifier && sureTopic(classifier, text);
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

type Scored = Omit<Explanation, 'confidence'>;

/**
 * The classifier's top topic when it is sure of it (`none` included) and knows enough of the
 * text's words: on words it never saw, its answer would only be its bias.
 */
function sureTopic(classifier: TopicClassifier, text: string): { topic: string; p: number } | null {
  const { posterior, known } = classifier.predict(text);
  if (known < CLASSIFIER_KNOWN) return null;
  let top: { topic: string; p: number } | null = null;
  for (const [topic, p] of posterior) if (!top || p > top.p) top = { topic, p };
  return top && top.p >= CLASSIFIER_SURE ? top : null;
}

/** How much each word of another service (a mortgage, a hospital) lowers the logit. */
const OFFTOPIC_PENALTY = 2;
/** The share of that penalty left when the card has strong evidence of its own (see calibrate). */
const STRONG_OFFTOPIC_SHARE = 0.5;
/**
 * Off-topic cues: a word, or words joined by + that must all appear (低保+多少: the amount of
 * another benefit, while 低保 alone is a common part of an employment story).
 */
interface Cue {
  cue: string;
  parts: string[];
  /** which parts are Tibetan (matched in the Tibetan form of the question) */
  tibetan: boolean[];
}
const OFFTOPIC_ZH: readonly Cue[] = lexicon.offtopic['zh-CN'].map((w) => ({
  cue: w,
  parts: w.split('+').map((p) => normalizeText(p).trim()),
  tibetan: w.split('+').map(() => false),
}));
const OFFTOPIC_BO: readonly Cue[] = lexicon.offtopic.bo.map((w) => ({
  cue: w,
  parts: w.split('+').map((p) => (TIBETAN.test(p) ? boForm(p) : normalizeText(p).trim())),
  tibetan: w.split('+').map((p) => TIBETAN.test(p)),
}));

/** Share of the other cards' scores of one topic added to its best card's. */
const TOPIC_SUPPORT = 0.25;

/**
 * One entry per topic, best first: the topic's best card, its score raised by the other cards of
 * the topic that also fit (several cards of one topic agreeing make that topic more likely), and
 * the strongest evidence any of them has.
 */
function byTopic(ranked: Scored[]): Scored[] {
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
  return [...topics.values()].sort(
    (x, y) => y.score - x.score || x.card.id.localeCompare(y.card.id),
  );
}

/**
 * Confidence that the top card answers the question: a logistic curve over how much of the
 * question the card explains (coverage), whether one of its keywords appears whole (phrase), how
 * many distinct words back it, and the raw score. Weights were fitted on the dev set plus a set
 * of hand-written paraphrases and off-topic questions. A question whose only evidence is one word
 * shared by several topics gets little: off-topic questions often share such a word with a card.
 */
function calibrate(top: Scored): number {
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

function buildLang(cards: PolicyCard[], lang: Lang): LangIndex {
  const n = cards.length;
  const tfs = cards.map((card) =>
    FIELDS.map(([field, weight]) => {
      const text = field === 'keywords' ? card.keywords[lang].join(' \u0F0D\n') : card[field][lang];
      const tf = new Map<string, number>();
      let len = 0;
      for (const t of tokenize(text)) {
        tf.set(t.term, (tf.get(t.term) ?? 0) + t.weight);
        len += t.weight;
      }
      return { tf, len, weight };
    }),
  );
  const avg = FIELDS.map(
    (_, f) => tfs.reduce((s, fields) => s + fields[f]!.len, 0) / Math.max(1, n) || 1,
  );
  // Document frequency counts the fields that say what a card is about (keywords, title, short):
  // details mention neighbouring topics (失业登记 in half the cards) and would make every
  // topic's own words look common. A term found only in details falls back to its details df.
  const df = new Map<string, number>();
  const detailsDf = new Map<string, number>();
  // A word is specific when it names few topics, however many cards of one topic use it.
  const topicsOf = new Map<string, Set<string>>();
  const topicCount = new Set(cards.map((c) => c.topic)).size;
  const postings = new Map<string, Posting[]>();
  tfs.forEach((fields, ci) => {
    const primary = new Set(fields.slice(0, PRIMARY_FIELDS).flatMap(({ tf }) => [...tf.keys()]));
    for (const term of primary) {
      const topics = topicsOf.get(term) ?? new Set<string>();
      topics.add(cards[ci]!.topic);
      topicsOf.set(term, topics);
    }
    const combined = new Map<string, number>();
    fields.forEach(({ tf, len, weight }, f) => {
      const norm = 1 - B + (B * len) / avg[f]!;
      for (const [term, count] of tf)
        combined.set(term, (combined.get(term) ?? 0) + (weight * count) / norm);
    });
    for (const [term, x] of combined) {
      const counts = primary.has(term) ? df : detailsDf;
      counts.set(term, (counts.get(term) ?? 0) + 1);
      const list = postings.get(term) ?? [];
      list.push([ci, (x * (K1 + 1)) / (x + K1), primary.has(term)]);
      postings.set(term, list);
    }
  });
  // A single Chinese character found in many cards (工, 业) says nothing and costs time: drop it.
  for (const [term, list] of postings) {
    if (term.length === 1 && HAN.test(term) && list.length > COMMON_CHAR_CARDS * n) {
      postings.delete(term);
      df.delete(term);
      detailsDf.delete(term);
    }
  }
  const idfOf = (d: number): number => Math.log(1 + (n - d + 0.5) / (d + 0.5));
  const idf = new Map([...detailsDf, ...df].map(([t, d]) => [t, idfOf(d)]));
  // A keyword found whole in the question is worth its rarity as a phrase among the cards'
  // keywords, titles and summaries, and more the longer it is.
  const haystacks = cards.map((card) => {
    const text = [...card.keywords[lang], card.title[lang], card.short[lang]].join('\n');
    return lang === 'bo' ? boForm(text) : normalizeText(text);
  });
  const byForm = new Map<string, Phrase>();
  cards.forEach((card, ci) => {
    for (const kw of card.keywords[lang]) {
      if (tokenize(kw).every((t) => t.weight < BIGRAM_WEIGHT)) continue; // only stop-words
      const form = lang === 'bo' ? boForm(kw) : normalizeText(kw).trim();
      const known = byForm.get(form);
      if (known) {
        if (!known.cards.includes(ci)) known.cards.push(ci);
        continue;
      }
      // Only the content of a keyword makes it specific: 需要什么材料 is worth 材料, not six characters.
      let content = tokenize(kw).filter((t) => t.weight === 1 && !isStopWord(t.term));
      // Chinese the segmenter leaves in single characters (上|岗, 回|访): its pairs are the content.
      if (content.length === 0 && lang === 'zh-CN')
        content = tokenize(kw).filter(
          (t) => t.weight === BIGRAM_WEIGHT && [...t.term].length === 2,
        );
      if (content.length === 0) continue;
      // Tibetan: every syllable of the phrase counts (ཞུ་གཏུག is one word with a common syllable).
      const units =
        lang === 'bo'
          ? form.split('\u0F0B').length - 2
          : content.every((t) => t.weight === 1)
            ? content.reduce((sum, t) => sum + [...t.term].length, 0)
            : content.length + 1;
      if (units < 2) continue;
      // Bigrams included: in Tibetan the pair often carries the meaning (ལས་བྱེད་པ).
      // A Tibetan pair with a common syllable is still a word there (ལས་བྱེད་པ): count it fully.
      const contentIdf = tokenize(kw)
        .filter((t) => !isStopWord(t.term))
        .reduce(
          (sum, t) =>
            sum +
            (lang === 'bo' ? Math.max(t.weight, BIGRAM_WEIGHT) : t.weight) * (idf.get(t.term) ?? 0),
          0,
        );
      const phraseDf = haystacks.filter((h) => h.includes(form)).length;
      const mass =
        Math.min(idfOf(Math.max(1, phraseDf)), contentIdf) * Math.min(2, 0.5 + 0.25 * units);
      byForm.set(form, { form, mass, cards: [ci] });
    }
  });
  const phrases = new Map<string, Phrase[]>();
  for (const p of byForm.values()) {
    const anchor = phraseAnchor(p.form, lang);
    phrases.set(anchor, [...(phrases.get(anchor) ?? []), p]);
  }
  return {
    postings,
    idf,
    unknownIdf: idfOf(1),
    topical: new Set(
      [...topicsOf]
        .filter(([, topics]) => topics.size <= Math.max(SPECIFIC_TOPICS, 0.2 * topicCount))
        .map(([t]) => t),
    ),
    specific: new Set(
      [...topicsOf].filter(([, topics]) => topics.size <= SPECIFIC_TOPICS).map(([t]) => t),
    ),
    phrases,
  };
}

/**
 * Phrases are looked up by where they start, so a question is tested only against the phrases
 * that can occur in it: a Chinese phrase by its first two characters, a Tibetan one by its
 * first syllable.
 */
function phraseAnchor(form: string, lang: Lang): string {
  return lang === 'bo' ? (form.split('\u0F0B')[1] ?? '') : form.slice(0, 2);
}

function zhAnchors(text: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < text.length; i++) out.add(text.slice(i, i + 2));
  return out;
}

/** Tibetan text as canonical syllables between tshegs, for whole-syllable substring tests. */
function boForm(text: string): string {
  return `\u0F0B${canonicalSyllables(text).join('\u0F0B')}\u0F0B`;
}

function scriptOf(term: string): Script {
  const c = term.codePointAt(0) ?? 0;
  if (c >= 0x0f00 && c <= 0x0fff) return 'bo';
  if (/\p{Script=Han}/u.test(term)) return 'zh';
  return 'latin';
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
