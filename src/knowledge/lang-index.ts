import type { PolicyCard } from './card.schema.js';
import type { Lang } from '../messaging/lang.js';
import { boForm, HAN } from './script.js';
import { BIGRAM_WEIGHT, isStopWord, normalizeText, tokenize } from './tokenize.js';

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
const SPECIFIC_TOPICS = 2;
const B = 0.6;
/** Share of the cards above which a single Chinese character is no term at all. */
const COMMON_CHAR_CARDS = 0.6;

export interface Phrase {
  /** zh: normalised text; bo: canonical syllables joined by tsheg, wrapped in tshegs. */
  form: string;
  /** How much a whole hit is worth: its rarity among cards, times a length factor. */
  mass: number;
  /** indexes of the cards that list it as a keyword */
  cards: number[];
}

/** [card index, saturated term frequency, found in the card's keywords, title or summary] */
export type Posting = [number, number, boolean];

export interface LangIndex {
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

export function buildLang(cards: PolicyCard[], lang: Lang): LangIndex {
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

export function zhAnchors(text: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < text.length; i++) out.add(text.slice(i, i + 2));
  return out;
}
