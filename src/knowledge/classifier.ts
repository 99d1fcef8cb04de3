import { analyzeQuery, type QuerySentence } from './query.js';

/** A labelled example question: how people really ask about a topic (or `none`: off-topic). */
export interface Example {
  text: string;
  topic: string;
}

/** Topic → probability (the topics seen in training, `none` included when it was). */
export type Posterior = ReadonlyMap<string, number>;

export interface Prediction {
  posterior: Posterior;
  /**
   * How much of the text the model has seen words of: the norm of its known features (0 when it
   * knows none, 1 when it knows them all). With little known, the posterior is mostly the bias.
   */
  known: number;
}

export interface TopicClassifier {
  readonly topics: readonly string[];
  /** `text`, or a question analyseQuery already split (the ranking's own, to tokenise once). */
  predict(text: string | QuerySentence[]): Prediction;
}

/** Training settings (fixed, so the model is the same in every process; chosen by cross-validation). */
export interface TrainingSettings {
  epochs: number;
  learningRate: number;
  l2: number;
}
export const TRAINING: TrainingSettings = { epochs: 20, learningRate: 0.5, l2: 1e-4 };

/** A text (or an analysed question) as weighted, L2-normalised features. */
export type Featurize = (text: string | QuerySentence[]) => Map<string, number>;

/**
 * A text as weighted features: the retrieval terms (Chinese words, character pairs, Tibetan
 * syllables and pairs), the concepts everyday words name, each scaled by how much its sentence
 * counts (the question over the story around it), L2-normalised so a long story is not more
 * certain than a short question.
 */
export function features(text: string | QuerySentence[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (term: string, w: number): void => {
    if (w > (out.get(term) ?? 0)) out.set(term, w);
  };
  for (const s of typeof text === 'string' ? analyzeQuery(text) : text) {
    for (const t of s.terms) add(t.term, t.weight * s.weight);
    for (const c of s.concepts) for (const t of c.terms) add(`~${t.term}`, t.weight * s.weight);
  }
  let norm = 0;
  for (const w of out.values()) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  for (const [k, w] of out) out.set(k, w / norm);
  return out;
}

/**
 * Multinomial logistic regression over `features`, trained by AdaGrad in a fixed order (so every
 * process builds the same model). It learns the words people use for each topic from labelled
 * examples, including situations that never name the policy (厂子关门 → 失业保险).
 */
export function trainTopicClassifier(
  examples: readonly Example[],
  settings: TrainingSettings = TRAINING,
  featurize: Featurize = features,
): TopicClassifier {
  const steps = training(examples, settings, featurize);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * The same training, giving the event loop a turn after every few examples (a running server
 * keeps answering while it learns from a taught example). The model is identical.
 */
export async function trainTopicClassifierAsync(
  examples: readonly Example[],
  settings: TrainingSettings = TRAINING,
  featurize: Featurize = features,
): Promise<TopicClassifier> {
  const steps = training(examples, settings, featurize);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** How many examples are learnt between two turns of the event loop (a few milliseconds). */
const SLICE = 200;

function* training(
  examples: readonly Example[],
  settings: TrainingSettings,
  featurize: Featurize,
): Generator<void, TopicClassifier, void> {
  const { epochs, learningRate, l2 } = settings;
  const topics = [...new Set(examples.map((e) => e.topic))].sort();
  const k = topics.length;
  const classOf = new Map(topics.map((t, i) => [t, i]));
  const vocab = new Map<string, number>();
  const data: { f: (readonly [number, number])[]; y: number }[] = [];
  for (const e of examples) {
    const f = [...featurize(e.text)].map(([term, w]) => {
      let id = vocab.get(term);
      if (id === undefined) {
        id = vocab.size;
        vocab.set(term, id);
      }
      return [id, w] as const;
    });
    data.push({ f, y: classOf.get(e.topic)! });
    if (data.length % SLICE === 0) yield;
  }
  // weights[feature * k + class]; the last row is the bias
  const bias = vocab.size;
  const w = new Float64Array((vocab.size + 1) * k);
  const g2 = new Float64Array(w.length).fill(1e-8);
  const scores = new Float64Array(k);
  const logits = (f: readonly (readonly [number, number])[], into: Float64Array): void => {
    for (let c = 0; c < k; c++) into[c] = w[bias * k + c]!;
    for (const [id, x] of f) for (let c = 0; c < k; c++) into[c]! += w[id * k + c]! * x;
    softmax(into);
  };
  const step = (index: number, grad: number): void => {
    const gr = grad + l2 * w[index]!;
    g2[index]! += gr * gr;
    w[index]! -= (learningRate * gr) / Math.sqrt(g2[index]!);
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let n = 0; n < data.length; n++) {
      const { f, y } = data[n]!;
      logits(f, scores);
      for (let c = 0; c < k; c++) {
        const err = scores[c]! - (c === y ? 1 : 0);
        step(bias * k + c, err);
        for (const [id, x] of f) step(id * k + c, err * x);
      }
      if (n % SLICE === SLICE - 1) yield;
    }
  }
  return {
    topics,
    predict(text) {
      const f: [number, number][] = [];
      let known = 0;
      for (const [term, x] of featurize(text)) {
        const id = vocab.get(term);
        if (id === undefined) continue;
        f.push([id, x]);
        known += x * x;
      }
      const out = new Float64Array(k);
      logits(f, out);
      return { posterior: new Map(topics.map((t, c) => [t, out[c]!])), known: Math.sqrt(known) };
    },
  };
}

function softmax(v: Float64Array): void {
  let max = -Infinity;
  for (const x of v) max = Math.max(max, x);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.exp(v[i]! - max);
    sum += v[i]!;
  }
  for (let i = 0; i < v.length; i++) v[i]! /= sum;
}
