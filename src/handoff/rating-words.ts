import type { Glossary } from '../glossary.js';
import { keywordForm } from '../lib/normalize.js';

/**
 * Reads a score typed in words at the rating question ("很满意" → 5, "ཡག་པོ་འདུག" → 4): the whole
 * message, matched as keywords are (glossary `answers.rating`).
 */
export function ratingWords(
  rating: Glossary['answers']['rating'],
): (text: string) => number | undefined {
  const scores = new Map<string, number>();
  for (const [score, byLang] of Object.entries(rating))
    for (const word of Object.values(byLang ?? {}).flat())
      if (keywordForm(word)) scores.set(keywordForm(word), Number(score));
  return (text) => scores.get(keywordForm(text));
}

/** The whole message is one of `words` (in keyword form): "我没事啊" among the glossary's "fine". */
export function saysOneOf(
  words: Partial<Record<string, readonly string[]>>,
): (text: string) => boolean {
  const forms = new Set(
    Object.values(words)
      .flatMap((w) => w ?? [])
      .map(keywordForm)
      .filter(Boolean),
  );
  return (text) => forms.has(keywordForm(text));
}
