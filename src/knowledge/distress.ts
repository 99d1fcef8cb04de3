import lexicon from './distress-lexicon.json' with { type: 'json' };
import { canonicalSyllables, fold } from './tokenize.js';

/** Everything but Han characters and ASCII letters/digits is dropped before Chinese matching. */
const NOT_ZH = /[^\p{Script=Han}a-z0-9…]+/gu;

const zhPatterns = lexicon['zh-CN'].phrases.map(zhPattern);
const zhExcept = lexicon['zh-CN'].except.map((p) => fold(p).replace(NOT_ZH, ''));
const boPhrases = lexicon.bo.phrases.map(boForm);
const boExcept = lexicon.bo.except.map(boForm);
const calm = new Set([
  ...lexicon['zh-CN'].calm.map((p) => fold(p).replace(NOT_ZH, '')),
  ...lexicon.bo.calm.map(boForm),
]);

const CALM_MAX_LENGTH = 40;

/**
 * A short answer the learnt model must not take for distress (distress-lexicon.json `calm`):
 * the whole message, punctuation aside, is "I don't know" or "skip" (我不知道, ང་མི་ཤེས).
 */
export function isCalmReply(text: string): boolean {
  // Every entry is a few words: longer messages need no folding (this runs on every turn).
  if (text.length > CALM_MAX_LENGTH) return false;
  const folded = fold(text);
  return calm.has(folded.replace(NOT_ZH, '')) || calm.has(boForm(folded));
}

/**
 * True when the message expresses hopelessness or thoughts of suicide, in Chinese or Tibetan
 * (distress-lexicon.json). Deliberately simple and high-recall: a false alarm offers a person
 * support, a miss does not.
 */
export function detectDistress(text: string): boolean {
  const folded = fold(text);
  let zh = folded.replace(NOT_ZH, '');
  for (const e of zhExcept) zh = zh.split(e).join('|');
  if (zhPatterns.some((re) => re.test(zh))) return true;
  if (!/[\u0F40-\u0FBC]/u.test(folded)) return false;
  let bo = boForm(folded);
  for (const e of boExcept) bo = bo.split(e).join('\u0F0B|\u0F0B');
  return boPhrases.some((p) => bo.includes(p));
}

function zhPattern(phrase: string): RegExp {
  const parts = fold(phrase).replace(NOT_ZH, '').split('…');
  return new RegExp(
    parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^|]{0,4}'),
    'u',
  );
}

function boForm(text: string): string {
  return `\u0F0B${canonicalSyllables(text).join('\u0F0B')}\u0F0B`;
}
