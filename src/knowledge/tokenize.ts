import lexicon from './lexicon.json' with { type: 'json' };
import { readLoanwords } from './loanwords.js';
import { soundalike } from './soundalike.js';

/**
 * Text → retrieval terms, the same way for questions and cards: Chinese words (ICU dictionary
 * segmentation) plus character bigrams, Tibetan syllables plus syllable bigrams, Latin words and
 * numbers. Stop-words lose their own term but still split phrases; typos and synonyms from
 * lexicon.json are rewritten to one form on both sides.
 */
export interface Term {
  term: string;
  /** 1 for words and syllables, less for bigrams (they mostly confirm the words). */
  weight: number;
}

// U+034F (combining grapheme joiner) is listed apart: in a class it would trip no-misleading-character-class.
const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u180E]|\u034F/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const HAN_RUN = /\p{Script=Han}+/gu;
const TIBETAN_SYLLABLE = /[\u0F35\u0F37\u0F39\u0F40-\u0F84\u0F86-\u0FBC]+/gu;
/** Shad, double shad and other Tibetan clause marks; a new clause stops syllable bigrams. */
const TIBETAN_CLAUSE = /[\u0F04-\u0F0A\u0F0D-\u0F14\u0F3A-\u0F3D]/u;
const LATIN = /[a-z0-9]+(?:[.'][a-z0-9]+)*/g;
/** One base letter and a final ར or ས (ཀར, སས): maybe a case ending fused to an open syllable. */
const BARE_CASE = /^[\u0F40-\u0F6C][\u0F62\u0F66]$/u;
/** …but these are words of their own, not a letter with a case ending. */
const BARE_WORDS: ReadonlySet<string> = new Set([
  'ལས',
  'ནས',
  'བས',
  'མས',
  'གས',
  'དས',
  'ངས',
  'ཁས',
  'འས',
]);
const VOWEL_OR_SUBJOINED = /[\u0F71-\u0F84\u0F90-\u0FBC]$/u;

export const BIGRAM_WEIGHT = 0.5;
export const WEAK_BIGRAM_WEIGHT = 0.2;
/**
 * A Chinese character alone: colloquial questions often carry the topic in one character the
 * segmenter leaves single (贷, 裁, 骗, 班), or in a word it cuts differently from the cards.
 */
export const UNIGRAM_WEIGHT = 0.25;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const zhStop: ReadonlySet<string> = new Set(lexicon.stop['zh-CN']);
const boStopLists = lexicon.stop.bo.map((w) => boSyllablesRaw(fold(w)).map(stemSyllable));
/** One-syllable Tibetan stop-words: particles, auxiliaries, pronouns. */
const boStop: ReadonlySet<string> = new Set(boStopLists.filter((l) => l.length === 1).flat());
/**
 * Several-syllable stop phrases (ག་ཚོད, ཁ་སང, ཇི་ལྟར): their syllables are stop-words only in
 * that sequence, so ཚོད་ལྟ and ཁ་པར keep their meaning.
 */
const boStopPhrases: readonly string[][] = boStopLists.filter((l) => l.length > 1);
/** Word-final Tibetan syllables (པ, པོ, མ …): no term alone, but a full bigram with the syllable before. */
const boSuffix: ReadonlySet<string> = new Set(
  lexicon.suffixes.bo.map((w) => stemSyllable(fold(w))),
);

/** NFC, no zero-width or control characters, full-width ASCII folded to half-width, lower case. */
export function fold(text: string): string {
  return text
    .replace(CONTROL, ' ')
    .replace(INVISIBLE, '')
    .normalize('NFC')
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/\u0F0C/g, '\u0F0B') // non-breaking tsheg
    .toLowerCase();
}

const zhTypos = buildRewriter(lexicon.typos);
const zhSynonyms = buildRewriter(
  Object.fromEntries(
    lexicon.synonyms['zh-CN'].flatMap(([head, ...rest]) => rest.map((v) => [v, head ?? v])),
  ),
);
const boRewrite: ReadonlyMap<string, string[]> = new Map(
  lexicon.synonyms.bo.flatMap(([head, ...rest]) =>
    rest.map((v) => [stemmed(v).join('\u0F0B'), stemmed(head ?? '')] as const),
  ),
);

/** The longest Tibetan synonym variant, in syllables. */
const BO_REWRITE_MAX = Math.max(0, ...[...boRewrite.keys()].map((k) => k.split('\u0F0B').length));

const smallTalk = new RegExp(
  [
    ...lexicon.smalltalk['zh-CN'].map(escape),
    // Tibetan phrases only as whole syllables: at a tsheg, shad, space or either end.
    ...lexicon.smalltalk.bo.map(
      (p) => `(?<![\\u0F40-\\u0FBC])${escape(fold(p))}(?![\\u0F40-\\u0FBC])`,
    ),
  ].join('|'),
  'gu',
);

/** `fold` plus loanwords in Tibetan letters, the typo, sound-alike (soundalike.ts) and synonym rewrites, greetings and thanks removed: the form every text is matched in. */
export function normalizeText(text: string): string {
  return zhSynonyms(soundalike(zhTypos(readLoanwords(fold(text)).replace(smallTalk, ' '))));
}

/** Every term of `text`, in order, with repeats (a card field's term frequencies come from this). */
export function tokenize(text: string): Term[] {
  return tokenizeNormalized(normalizeText(text));
}

/** `tokenize` of a text `normalizeText` already gave (a question is normalised once). */
export function tokenizeNormalized(norm: string): Term[] {
  const out: Term[] = [];
  for (const m of norm.matchAll(HAN_RUN)) zhTerms(m[0], out);
  for (const clause of norm.split(TIBETAN_CLAUSE)) boTerms(canonicalSyllables(clause), out);
  for (const m of norm.matchAll(LATIN)) {
    // Short numbers (ages, amounts) say little about the topic; hotline numbers and words do.
    const numeric = /^\d+$/.test(m[0]);
    if (m[0].length > 1 || numeric)
      out.push({ term: m[0], weight: numeric && m[0].length < 5 ? 0.3 : 1 });
  }
  return out;
}

/** Tibetan syllables of `text` after folding, stemming and synonym rewriting (for phrase matching). */
export function canonicalSyllables(text: string): string[] {
  const syllables = boSyllablesRaw(fold(text).replace(smallTalk, ' ')).map(stemSyllable);
  if (boRewrite.size === 0) return syllables;
  const out: string[] = [];
  for (let i = 0; i < syllables.length; i++) {
    // The longest variant first (up to three syllables: གསོ་སྐྱོང་དངུལ → ཉེན་འགོག་དངུལ).
    let n = Math.min(BO_REWRITE_MAX, syllables.length - i);
    for (; n > 0; n--) if (boRewrite.has(syllables.slice(i, i + n).join('\u0F0B'))) break;
    if (n > 0) {
      out.push(...(boRewrite.get(syllables.slice(i, i + n).join('\u0F0B')) ?? []));
      i += n - 1;
    } else out.push(syllables[i] ?? '');
  }
  return out;
}

/** Chinese words of a normalised Han run (ICU segmentation), stop-words included. */
export function zhWords(run: string): string[] {
  const out: string[] = [];
  // ICU's cost grows with the square of the text it segments (a 32k run took 1.8 GB and 12 s):
  // segment bounded pieces, so any text costs time and memory linear in its length. A word cut
  // at a piece boundary (once per SEGMENT_CHUNK characters) only loses that one word.
  for (let i = 0; i < run.length; i += SEGMENT_CHUNK)
    for (const s of segmenter.segment(run.slice(i, i + SEGMENT_CHUNK)))
      if (s.isWordLike) out.push(s.segment);
  return out;
}

/** UTF-16 units segmented at a time (Han characters are single units: no pair is split). */
export const SEGMENT_CHUNK = 256;

export function isStopWord(term: string): boolean {
  return (
    zhStop.has(term) ||
    boStop.has(term) ||
    boSuffix.has(term) ||
    boStopPhrases.some((p) => p.join('\u0F0B') === term)
  );
}

function zhTerms(run: string, out: Term[]): void {
  const words = zhWords(run);
  // Which characters belong to a stop-word: a bigram made only of those carries nothing.
  const stopChar: boolean[] = [];
  for (const w of words) {
    // 我想去, 我被: words made only of single-character stop-words are stop-words too.
    const stop = zhStop.has(w) || [...w].every((c) => zhStop.has(c));
    if (!stop && w.length > 1) out.push({ term: w, weight: 1 });
    for (let k = 0; k < w.length; k++) stopChar.push(stop);
  }
  const chars = [...words.join('')];
  for (let i = 0; i < chars.length; i++)
    if (!stopChar[i] && !zhStop.has(chars[i]!))
      out.push({ term: chars[i]!, weight: UNIGRAM_WEIGHT });
  for (let i = 0; i + 1 < chars.length; i++) {
    if (stopChar[i] || stopChar[i + 1]) continue;
    out.push({ term: chars[i]! + chars[i + 1]!, weight: BIGRAM_WEIGHT });
  }
}

function boTerms(syllables: string[], out: Term[]): void {
  const stop = syllables.map((s) => boStop.has(s));
  for (const phrase of boStopPhrases) {
    for (let i = 0; i + phrase.length <= syllables.length; i++) {
      if (phrase.every((p, k) => syllables[i + k] === p))
        phrase.forEach((_, k) => (stop[i + k] = true));
    }
  }
  for (let i = 0; i < syllables.length; i++) {
    const s = syllables[i]!;
    if (!stop[i] && !boSuffix.has(s)) out.push({ term: s, weight: 1 });
    const next = syllables[i + 1];
    if (next === undefined) continue;
    // A bigram with one particle still ties words together (ལས་ཀ, རོགས་དངུལ), but counts less;
    // a suffix counts as part of the word before it (བདག་པོ), not of the one after.
    const stops = (stop[i] || boSuffix.has(s) ? 1 : 0) + (stop[i + 1] ? 1 : 0);
    if (stops < 2)
      out.push({
        term: `${s}\u0F0B${next}`,
        weight: stops === 0 ? BIGRAM_WEIGHT : WEAK_BIGRAM_WEIGHT,
      });
  }
}

function stemmed(text: string): string[] {
  return boSyllablesRaw(fold(text)).map(stemSyllable);
}

function boSyllablesRaw(text: string): string[] {
  return text.match(TIBETAN_SYLLABLE) ?? [];
}

/**
 * Folds the case endings that fuse with a syllable, so that མི་སྣར / མི་སྣ, ལས་ཀའི / ལས་ཀ,
 * བདག་པོས / བདག་པོ and མཐར / མཐའ meet: a final འི འོ འུ འང འམ or bare འ is dropped, and a final
 * ར or ས right after a vowel sign or a subjoined letter is dropped. Applied to both sides, so an
 * occasional over-stem (གྲོང་ཁྱེར → ཁྱེ) is harmless.
 */
export function stemSyllable(s: string): string {
  let t = s.replace(/\u0F60(?:\u0F72|\u0F7C|\u0F74|\u0F44|\u0F58)?$/u, '');
  if (
    t === s &&
    t.length > 2 &&
    /[\u0F62\u0F66]$/u.test(t) &&
    VOWEL_OR_SUBJOINED.test(t.slice(0, -1))
  ) {
    t = t.slice(0, -1);
  } else if (t === s && t.length === 2 && BARE_CASE.test(t) && !BARE_WORDS.has(t)) {
    // An open syllable of one letter takes the locative ར or agentive ས too (ལྷ་སར, ལས་ཀར):
    // unless the pair is a word of its own (ལས, ནས …).
    t = t.slice(0, -1);
  }
  return t.length > 0 ? t : s;
}

function buildRewriter(map: Record<string, string>): (text: string) => string {
  const keys = Object.keys(map)
    .map((k) => fold(k))
    .sort((a, b) => b.length - a.length);
  if (keys.length === 0) return (t) => t;
  const folded = new Map(Object.entries(map).map(([k, v]) => [fold(k), fold(v)]));
  const re = new RegExp(keys.map(escape).join('|'), 'gu');
  return (text) => text.replace(re, (m) => folded.get(m) ?? m);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
