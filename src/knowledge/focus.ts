import { fold } from './tokenize.js';

/** A part of the message and how much it counts towards the question. */
export interface Sentence {
  text: string;
  weight: number;
}

/** Sentence and clause ends (a comma often separates the story from the question). */
const CLAUSE_END = /(?<=[。！？!?；;\n\u0F0D\u0F0E\u0F11\u0F14，,])/u;
/** Messages longer than this (Chinese characters + Tibetan syllables) tell a story. */
const LONG = 40;
const ZH_QUESTION =
  /[?？]|吗|怎么|怎样|如何|哪里|哪儿|哪些|哪个|哪家|能不能|可不可以|是不是|有没有|多少|多久|几点|(?<![十百千好])几[个年天月岁次]|什么|啥|咋|谁|为什么|请问|想问|咨询|想了解|想知道|要不要|算不算|能否|是否|[么呢嘛]$|[能会可要算行有给][^，,。]{0,12}[不没]$/u;
const BO_QUESTION =
  /(?:^|\u0F0B)(?:དམ|གམ|ངམ|བམ|མམ|འམ|རམ|ལམ|སམ|ཏམ|ཨེ|ག་རེ|ག་པར|གང་དུ|གང་ནས|ག་འདྲ|ག་ཚོད|ག་དུས|ག་ཚེ|ཇི་ལྟར|ཇི་ཙམ|ཅི|སུ|ནམ)(?=$|[\u0F0B\u0F0D\s])|(?:^|\u0F0B)(?:རོགས|འདོད)(?=$|[\u0F0B\u0F0D\s])/u;

/** Narrative around the question still counts, at this weight, so context is not lost. */
export const NARRATIVE_WEIGHT = 0.35;
const SHORT_NARRATIVE_WEIGHT = 0.7;

/**
 * Splits a message into sentences and weights the ones that ask something (a question word or
 * mark in Chinese, a question particle or request in Tibetan) over the story around them. With no
 * question marker at all, the last sentence counts fully and the rest a little less.
 */
export function focusSentences(text: string): Sentence[] {
  const folded = fold(text);
  const parts = folded
    .split(CLAUSE_END)
    .flatMap(spacedClauses)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length <= 1) return parts.map((t) => ({ text: t, weight: 1 }));
  const asks = parts.map((p) => ZH_QUESTION.test(p) || BO_QUESTION.test(p));
  // In a short message the other clause is usually part of the question (我有残疾证，能安排工作吗).
  const narrative = readingUnits(folded) > LONG ? NARRATIVE_WEIGHT : SHORT_NARRATIVE_WEIGHT;
  if (asks.some(Boolean))
    return parts.map((t, i) => ({ text: t, weight: asks[i] ? 1 : narrative }));
  return parts.map((t, i) => ({ text: t, weight: i === parts.length - 1 ? 1 : 0.6 }));
}

/**
 * A space between two runs of Chinese characters or Tibetan letters: on a phone it often stands
 * where a comma or a shad would (失业半年了 心里很难受; after ག, Tibetan writes no shad: ཁུག སེམས).
 */
const SPACE_CLAUSE =
  /(?<=[\p{Script=Han}\u0F40-\u0FBC\u0F0B])\s+(?=[\p{Script=Han}\u0F40-\u0FBC])/u;

/** A clause this long on each side of a space is a sentence of its own (not "失业金 怎么领"). */
const SPACED_SENTENCE = 6;

/**
 * A sentence cut where spaces stand for punctuation, when every piece is a clause of its own
 * ("今天跑了一天累死了 失业登记明天还能办吗": the question is the second).
 */
function spacedClauses(sentence: string): string[] {
  const pieces = sentence.split(SPACE_CLAUSE);
  return pieces.length > 1 && pieces.every((p) => readingUnits(p) >= SPACED_SENTENCE)
    ? pieces
    : [sentence];
}

/**
 * The message's clauses: its sentences, each also cut where a space stands for punctuation.
 * For the distress check, where one clause can matter on its own; the question's focus keeps
 * whole sentences.
 */
export function clauses(text: string): string[] {
  return focusSentences(text).flatMap((s) =>
    s.text
      .split(SPACE_CLAUSE)
      .map((c) => c.trim())
      .filter((c) => c.length > 0),
  );
}

/** The text asks something: a question word or mark (Chinese), a question particle (Tibetan). */
export function asksSomething(text: string): boolean {
  const folded = fold(text);
  return ZH_QUESTION.test(folded) || BO_QUESTION.test(folded);
}

/** Length in reading units: a Chinese character or a Tibetan syllable each count one. */
export function readingUnits(text: string): number {
  return (
    (text.match(/\p{Script=Han}/gu)?.length ?? 0) + (text.match(/[\u0F40-\u0FBC]+/gu)?.length ?? 0)
  );
}
