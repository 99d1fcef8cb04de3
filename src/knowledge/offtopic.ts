import type { PolicyCard } from './card.schema.js';
import type { Lang } from '../messaging/lang.js';
import type { QuerySentence } from './query.js';
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

/**
 * Which cards say what they are about with each off-topic word (a card about medical insurance
 * during unemployment names 医保 in its title): those cards lose nothing for it. A word only the
 * details mention in passing (养老金 in a note) does not make the card about it.
 */
export function cueCardsOf(cards: readonly PolicyCard[]): Map<string, Set<number>> {
  const cueCards = new Map<string, Set<number>>();
  cards.forEach((card, ci) => {
    const about = (lang: Lang): string =>
      [...card.keywords[lang], card.title[lang], card.short[lang]].join('\n');
    const zh = normalizeText(about('zh-CN'));
    const bo = boForm(about('bo'));
    // A cue of several words (低保+多少) is the card's own only when it names the other service
    // in its keywords or title: a summary saying "not the same as 低保" does not count.
    const named = (lang: Lang): string => [...card.keywords[lang], card.title[lang]].join('\n');
    const namedZh = normalizeText(named('zh-CN'));
    const namedBo = boForm(named('bo'));
    const has = (p: string, zhText: string, boText: string): boolean =>
      TIBETAN.test(p) ? boText.includes(p) : zhText.includes(p);
    for (const cues of [OFFTOPIC_ZH, OFFTOPIC_BO]) {
      for (const c of cues) {
        const own =
          c.parts.length === 1
            ? has(c.parts[0]!, zh, bo)
            : has(c.parts[0]!, namedZh, namedBo) && c.parts.every((p) => has(p, zh, bo));
        if (!own) continue;
        const set = cueCards.get(c.cue) ?? new Set<number>();
        set.add(ci);
        cueCards.set(c.cue, set);
      }
    }
  });
  return cueCards;
}

/**
 * The off-topic cues in what is asked (sentences of full weight): a story around the question
 * may well mention the children's school or a hospital stay.
 */
export function cuesAsked(sentences: readonly QuerySentence[]): string[] {
  const asked = sentences.filter((s) => s.weight >= 1);
  const zhText = asked.map((s) => s.zh).join('\n');
  const boText = asked
    .map((s) => s.bo)
    .filter(Boolean)
    .join('\n');
  const found = (c: Cue): boolean =>
    c.parts.every((p, k) => (c.tibetan[k] ? boText.includes(p) : zhText.includes(p)));
  return [...OFFTOPIC_ZH.filter(found), ...(boText ? OFFTOPIC_BO.filter(found) : [])].map(
    (c) => c.cue,
  );
}
