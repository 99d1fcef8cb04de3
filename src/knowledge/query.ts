import { focusSentences } from './focus.js';
import { boForm, HAN, TIBETAN } from './script.js';
import { concepts, type Concept } from './concepts.js';
import { normalizeText, tokenizeNormalized, type Term } from './tokenize.js';

/** One sentence of a question, analysed once for the ranking and the classifier alike. */
export interface QuerySentence {
  text: string;
  /** how much it counts towards the question (focus.ts) */
  weight: number;
  /** the sentence in the two forms phrases and concepts are matched in ('' without that script) */
  zh: string;
  bo: string;
  terms: Term[];
  concepts: Concept[];
}

/** A question split into weighted sentences, each tokenised and its concepts found. */
export function analyzeQuery(text: string): QuerySentence[] {
  return focusSentences(text).map((s) => {
    const norm = normalizeText(s.text);
    const zh = HAN.test(s.text) ? norm : '';
    const bo = TIBETAN.test(s.text) ? boForm(s.text) : '';
    return { ...s, zh, bo, terms: tokenizeNormalized(norm), concepts: concepts(zh, bo) };
  });
}
