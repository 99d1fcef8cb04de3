import { canonicalSyllables } from './tokenize.js';

export type Script = 'zh' | 'bo' | 'latin';
export const HAN = /\p{Script=Han}/u;
export const TIBETAN = /[\u0F40-\u0FBC]/u;

/** Tibetan text as canonical syllables between tshegs, for whole-syllable substring tests. */
export function boForm(text: string): string {
  return `\u0F0B${canonicalSyllables(text).join('\u0F0B')}\u0F0B`;
}

export function scriptOf(term: string): Script {
  const c = term.codePointAt(0) ?? 0;
  if (c >= 0x0f00 && c <= 0x0fff) return 'bo';
  if (/\p{Script=Han}/u.test(term)) return 'zh';
  return 'latin';
}
