import lexicon from './lexicon.json' with { type: 'json' };
import { canonicalSyllables, normalizeText, tokenize, type Term } from './tokenize.js';

/** A concept a question names in everyday words (lexicon.json concepts). */
export interface Concept {
  /** the concept's terms, as tokenize gives them */
  terms: readonly Term[];
  /** the everyday words found (normalised text, or canonical Tibetan syllables between tshegs) */
  triggers: string[];
}

interface ConceptGroup {
  terms: readonly Term[];
  triggers: string[];
}

const zhConcepts: readonly ConceptGroup[] = lexicon.concepts['zh-CN'].map(([head, ...rest]) => ({
  terms: tokenize(head ?? ''),
  triggers: rest.map((w) => normalizeText(w).trim()).filter((w) => w.length > 0),
}));
const boConcepts: readonly ConceptGroup[] = lexicon.concepts.bo.map(([head, ...rest]) => ({
  terms: tokenize(head ?? ''),
  // wrapped in tshegs, so that only whole syllables match
  triggers: rest
    .map((w) => canonicalSyllables(w).join('\u0F0B'))
    .filter((w) => w.length > 0)
    .map((w) => `\u0F0B${w}\u0F0B`),
}));
/** Chinese triggers by their first character: [trigger, group] (a question is scanned once). */
const zhConceptIndex = new Map<string, [string, number][]>();
zhConcepts.forEach((g, gi) =>
  g.triggers.forEach((t) => {
    const list = zhConceptIndex.get(t[0]!) ?? [];
    list.push([t, gi]);
    zhConceptIndex.set(t[0]!, list);
  }),
);
/** Tibetan triggers by their first syllable: [trigger between tshegs, group]. */
const boConceptIndex = new Map<string, [string, number][]>();
boConcepts.forEach((g, gi) =>
  g.triggers.forEach((t) => {
    const first = t.split('\u0F0B')[1] ?? '';
    const list = boConceptIndex.get(first) ?? [];
    list.push([t, gi]);
    boConceptIndex.set(first, list);
  }),
);

/**
 * The concepts `text` names in everyday words: 厂子关门了 names 失业, ལས་ནས་ཕྱིར་བསྐྲད names ལས་མེད.
 * `zh` is the text after normalizeText, `bo` its canonical syllables wrapped in tshegs (or '').
 */
export function concepts(zh: string, bo: string): Concept[] {
  const found = new Map<ConceptGroup, string[]>();
  const add = (g: ConceptGroup, trigger: string): void => {
    const list = found.get(g);
    if (!list) found.set(g, [trigger]);
    else if (!list.includes(trigger)) list.push(trigger);
  };
  for (let i = 0; i < zh.length; i++) {
    const candidates = zhConceptIndex.get(zh[i]!);
    if (!candidates) continue;
    for (const [t, gi] of candidates) if (zh.startsWith(t, i)) add(zhConcepts[gi]!, t);
  }
  if (bo) {
    for (const syllable of new Set(bo.split('\u0F0B'))) {
      const candidates = boConceptIndex.get(syllable);
      if (!candidates) continue;
      for (const [t, gi] of candidates) if (bo.includes(t)) add(boConcepts[gi]!, t);
    }
  }
  return [...found].map(([g, triggers]) => ({ terms: g.terms, triggers }));
}
