import { readFileSync } from 'node:fs';

/**
 * Chinese words written in Tibetan letters (ཧྲི་ཡེ་ཅིན for 失业金), from the glossary's
 * `loanwords` (locales/glossary.json, where a reviewer keeps Tibetan terms): each spelling is read
 * as the Chinese word, so 失业金, ཧྲི་ཡེ་ཅིན and ཧྲིཡེཅིན (tsheg left out) find the same answer.
 */
export function readLoanwords(text: string): string {
  return LOANWORD === null
    ? text
    : text.replace(LOANWORD, (m) => ` ${BY_SPELLING.get(key(m)) ?? m} `);
}

interface Loanword {
  zh: string;
  bo: string[];
}

// src/knowledge/ and dist/knowledge/ both sit two levels under the project root.
const GLOSSARY = new URL('../../locales/glossary.json', import.meta.url);
const loanwords =
  (JSON.parse(readFileSync(GLOSSARY, 'utf8')) as { loanwords?: Loanword[] }).loanwords ?? [];

/** A spelling without tshegs or spaces: the key it is looked up by. */
function key(spelling: string): string {
  return spelling.normalize('NFC').replace(/[\u0F0B\u0F0C\s]/gu, '');
}

const BY_SPELLING = new Map(loanwords.flatMap((l) => l.bo.map((b) => [key(b), l.zh] as const)));

/** Any spelling, tshegs optional, as whole syllables; the longest first. */
const LOANWORD: RegExp | null =
  BY_SPELLING.size === 0
    ? null
    : new RegExp(
        loanwords
          .flatMap((l) => l.bo)
          .map((b) => b.normalize('NFC').split('\u0F0B').filter(Boolean))
          .sort((a, b) => b.join('').length - a.join('').length)
          .map(
            (syllables) =>
              `(?<![\\u0F40-\\u0FBC])${syllables.map(escape).join('[\\u0F0B\\u0F0C ]?')}(?![\\u0F40-\\u0FBC])`,
          )
          .join('|'),
        'gu',
      );

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
