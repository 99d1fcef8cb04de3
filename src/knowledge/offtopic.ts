import lexicon from './lexicon.json' with { type: 'json' };
import { boForm, TIBETAN } from './script.js';
import { normalizeText } from './tokenize.js';

/**
 * Off-topic cues: a word, or words joined by + that must all appear (低保+多少: the amount of
 * another benefit, while 低保 alone is a common part of an employment story).
 */
export interface Cue {
  cue: string;
  parts: string[];
  /** which parts are Tibetan (matched in the Tibetan form of the question) */
  tibetan: boolean[];
}
export const OFFTOPIC_ZH: readonly Cue[] = lexicon.offtopic['zh-CN'].map((w) => ({
  cue: w,
  parts: w.split('+').map((p) => normalizeText(p).trim()),
  tibetan: w.split('+').map(() => false),
}));
export const OFFTOPIC_BO: readonly Cue[] = lexicon.offtopic.bo.map((w) => ({
  cue: w,
  parts: w.split('+').map((p) => (TIBETAN.test(p) ? boForm(p) : normalizeText(p).trim())),
  tibetan: w.split('+').map((p) => TIBETAN.test(p)),
}));
