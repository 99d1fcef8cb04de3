import { trainTopicClassifier, trainTopicClassifierAsync, type Example } from './classifier.js';
import { clauses, readingUnits } from './focus.js';
import { canonicalSyllables, fold } from './tokenize.js';

/** A labelled message: does it signal acute distress or a risk of self-harm of the writer? */
export interface DistressExample {
  text: string;
  distress: boolean;
}

/** Learnt from labelled messages: how likely a message signals acute distress (0–1). */
export interface DistressModel {
  /** whether the message signals distress to the model (DISTRESS thresholds) */
  flags(text: string): boolean;
  probability(text: string): number;
  /** the whole message's probability, and its likeliest sentence's (0 for one sentence) */
  parts(text: string): { whole: number; sentence: number };
}

/**
 * The decision rule (docs/knowledge.md, "Distress"): a message is distress when the lexicon
 * (distress-lexicon.json, the floor) matches, or when the learnt model gives `threshold` or more to
 * the whole message, or `sentenceThreshold` to any one of its sentences (a risk sentence inside a
 * long story about debts counts on its own; alone, a sentence needs more to go on). Both chosen on
 * the cross-validation over knowledge/distress that `npm run eval:qa` prints.
 */
export const DISTRESS = {
  threshold: 0.5,
  sentenceThreshold: 0.7,
  minSentenceKnown: 0.4,
  minSentenceUnits: 4,
  /**
   * A message this short (reading units) needs `shortThreshold` from the model alone: a word or
   * two (ཡ་ཡ, 算了, 选好了, མ་རེད) gives it too little to go on, and the lexicon still applies.
   */
  shortUnits: 5,
  shortThreshold: 0.8,
} as const;

const YES = 'distress';
const NO = 'ok';

/** Trains the model (logistic regression over the retrieval features, as the topic classifier). */
export function trainDistressModel(examples: readonly DistressExample[]): DistressModel {
  return wrap(trainTopicClassifier(balanced(examples), undefined, distressFeatures));
}

/** The same training, giving the event loop a turn now and then (a running server). */
export async function trainDistressModelAsync(
  examples: readonly DistressExample[],
): Promise<DistressModel> {
  return wrap(await trainTopicClassifierAsync(balanced(examples), undefined, distressFeatures));
}

/** How many times each message with distress is learnt: they are few beside the ordinary ones. */
export const POSITIVE_REPEAT = 3;

/** The examples as two-class training data, each distress message repeated (interleaved, fixed order). */
function balanced(examples: readonly DistressExample[]): Example[] {
  const out: Example[] = [];
  for (const e of examples) {
    const n = e.distress ? POSITIVE_REPEAT : 1;
    for (let i = 0; i < n; i++) out.push({ text: e.text, topic: e.distress ? YES : NO });
  }
  return out;
}

function wrap(clf: ReturnType<typeof trainTopicClassifier>): DistressModel {
  const p = (text: string, minKnown: number): number => {
    const { posterior, known } = clf.predict(text);
    return known >= minKnown ? (posterior.get(YES) ?? 0) : 0;
  };
  const parts = (text: string): { whole: number; sentence: number } => {
    let sentence = 0;
    // Each clause alone too: a story about debts must not drown the one sentence that matters,
    // and a phone's spaces separate clauses as punctuation does (失业半年了 活着没有任何意义).
    const parts = clauses(text);
    if (parts.length > 1)
      for (const s of parts)
        if (readingUnits(s) >= DISTRESS.minSentenceUnits)
          sentence = Math.max(sentence, p(s, DISTRESS.minSentenceKnown));
    return { whole: p(text, 0), sentence };
  };
  return {
    parts,
    flags(text) {
      const { whole, sentence } = parts(text);
      const short = readingUnits(text) <= DISTRESS.shortUnits;
      return (
        whole >= (short ? DISTRESS.shortThreshold : DISTRESS.threshold) ||
        sentence >= DISTRESS.sentenceThreshold
      );
    },
    probability(text) {
      const { whole, sentence } = parts(text);
      return Math.max(whole, sentence);
    },
  };
}

const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN = /[a-z]+/g;

/**
 * Features for distress, unlike the topic features: every character counts, function words
 * included (不想, 没有我, 算了, ་མེད་ན carry the meaning here). Chinese character 1–3-grams and
 * Tibetan syllable 1–2-grams (folded and stemmed, tsheg or not), L2-normalised.
 */
export function distressFeatures(input: string | readonly { text: string }[]): Map<string, number> {
  const text = fold(typeof input === 'string' ? input : input.map((s) => s.text).join('\n'));
  const out = new Map<string, number>();
  const add = (k: string, w: number): void => {
    out.set(k, (out.get(k) ?? 0) + w);
  };
  for (const m of text.matchAll(HAN_RUN)) {
    const c = [...m[0]];
    for (let i = 0; i < c.length; i++) {
      add(c[i]!, 0.5);
      if (i + 1 < c.length) add(c[i]! + c[i + 1]!, 1);
      if (i + 2 < c.length) add(c[i]! + c[i + 1]! + c[i + 2]!, 1);
    }
  }
  const syl = canonicalSyllables(text);
  for (let i = 0; i < syl.length; i++) {
    add(`b:${syl[i]}`, 1);
    if (i + 1 < syl.length) add(`b:${syl[i]}\u0F0B${syl[i + 1]}`, 1);
  }
  for (const m of text.matchAll(LATIN)) add(`l:${m[0]}`, 0.5);
  let norm = 0;
  for (const w of out.values()) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  for (const [k, w] of out) out.set(k, w / norm);
  return out;
}
