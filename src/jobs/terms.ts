import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fold, stemSyllable } from '../knowledge/tokenize.js';
import { cleanText } from '../lib/normalize.js';

/**
 * Job-alert keywords and the terms they are matched by (issue 13). A subscription's keywords
 * become terms (`termsOf`); a posting's texts become terms (`postingTerms`); they match when they
 * share one. Terms are `g:<group>` for a kind of work in knowledge/jobs/variants.json (保安, 门卫,
 * 安保员 and སྲུང་སྐྱོབ་པ are all `g:security`) and `w:<word>` for any other word, folded (NFC,
 * half-width, lower case, Tibetan case endings stemmed). A Tibetan keyword that is a glossary
 * term also gives the term of its Chinese original, so it matches Chinese postings.
 */
export const MAX_KEYWORDS = 10;
/** In characters (code points): a longer "keyword" is a sentence, and is left out. */
export const MAX_KEYWORD_LENGTH = 20;

export interface ParsedKeywords {
  /** Cleaned keywords as typed (NFC, no control characters), first occurrences, at most 10. */
  keywords: string[];
  /** How many were left out for being longer than MAX_KEYWORD_LENGTH. */
  tooLong: number;
  /** How many were left out after the first MAX_KEYWORDS. */
  tooMany: number;
}

/** Text in Chinese, and maybe Tibetan (a job posting's title and description). */
export type BilingualText = string | { 'zh-CN': string; bo?: string | null | undefined };

/** A posting's texts, as the matcher reads them (a stored job posting is one). */
export interface PostingText {
  title: BilingualText;
  description?: BilingualText | null | undefined;
  category?: string | null | undefined;
}

/** Spaces, commas (, ，), 、, semicolons, slashes, Tibetan shads, and two or more tshegs in a row. */
const SEPARATOR = /[\s,，、;；/／|｜\u0F0D-\u0F12\u0F14]+|\u0F0B{2,}/u;
/** Punctuation and spaces around a keyword (quotes, brackets, a trailing tsheg). */
const EDGES = /^[\p{P}\p{Z}]+|[\p{P}\p{Z}]+$/gu;
const HAS_WORD = /[\p{L}\p{N}]/u;

/** `text` split into keywords (DESIGN.md `/subscribe <keywords>`), with what was left out. */
export function parseKeywords(text: string): ParsedKeywords {
  const out: ParsedKeywords = { keywords: [], tooLong: 0, tooMany: 0 };
  const seen = new Set<string>();
  for (const piece of cleanText(text).split(SEPARATOR)) {
    const keyword = piece.replace(EDGES, '');
    if (!HAS_WORD.test(keyword)) continue;
    if (codePoints(keyword) > MAX_KEYWORD_LENGTH) {
      out.tooLong++;
      continue;
    }
    const key = fold(keyword);
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.keywords.length < MAX_KEYWORDS) out.keywords.push(keyword);
    else out.tooMany++;
  }
  return out;
}

/** The keywords of `text` (see `parseKeywords` for what is left out and why). */
export function keywordsOf(text: string): string[] {
  return parseKeywords(text).keywords;
}

/**
 * The kinds of work (knowledge/jobs/variants.json) a phrase names, as written there:
 * "想找个保安或者门卫" → 保安, 门卫; "སྲུང་སྐྱོབ་པའམ་ཁ་ལོ་བ་གང་རུང" → སྲུང་སྐྱོབ་པ, ཁ་ལོ་བ.
 */
export function workNamesIn(text: string): string[] {
  const names: string[] = [];
  // Tibetan "or" is a suffix (སྲུང་སྐྱོབ་པའམ): the word ends before it.
  const parted = text.replace(/([\u0F40-\u0FBC])འམ(?=[\u0F0B\u0F0D\s]|$)/gu, '$1 ');
  for (const { tokens, tibetan } of runsOf(parted, MAX_TITLE_TOKENS)) {
    for (let i = 0; i < tokens.length;) {
      let node: TrieNode | undefined = vocabulary.groups;
      let end = -1;
      for (let j = i; j < tokens.length && node; j++) {
        node = node.next.get(tokens[j]!);
        if (node?.terms) end = j + 1;
      }
      if (end > i) names.push(join(tokens.slice(i, end), tibetan));
      i = end > i ? end : i + 1;
    }
  }
  return [...new Set(names)];
}

/**
 * The keywords of work described in a sentence (the intake's "想找个保安或者门卫 司机也行"): the
 * kinds of work it names, else its keywords as typed (work we have no name for).
 */
export function workKeywordsOf(text: string): string[] {
  const named = workNamesIn(text);
  return named.length > 0 ? named.slice(0, MAX_KEYWORDS) : keywordsOf(text);
}

/** The terms a subscription with these keywords is indexed under, sorted, no repeats. */
export function termsOf(keywords: readonly string[]): string[] {
  const out = new Set<string>();
  for (const keyword of keywords)
    for (const run of runsOf(keyword, MAX_KEYWORD_LENGTH)) keywordRunTerms(run, out);
  return [...out].sort();
}

/**
 * The terms a posting's texts contain: every kind of work named in the title (either language),
 * every free word of the title (each sequence of up to 20 characters or Tibetan syllables, so a
 * keyword matches inside compounds: 小区保安（夜班） contains 保安), Chinese originals of glossary
 * terms in a Tibetan title, and the posting's category when it is a group id. The description
 * counts only when neither title nor category names a kind of work (a title like 急招3名): it
 * names many kinds of work in passing (协助保安巡逻). Linear in the length of the texts.
 */
export function postingTerms(posting: PostingText): string[] {
  const out = new Set<string>();
  const category = posting.category ?? '';
  let named = GROUP_IDS.has(category);
  if (named) out.add(`g:${category}`);
  for (const title of texts(posting.title)) {
    const runs = runsOf(title, MAX_TITLE_TOKENS);
    named = scanLongest(vocabulary.groups, runs, out) || named;
    scanAll(vocabulary.glossary, runs, out);
    for (const run of runs) ngrams(run, out);
  }
  if (!named)
    for (const description of texts(posting.description)) {
      const runs = runsOf(description, MAX_SCAN_TOKENS);
      scanLongest(vocabulary.groups, runs, out);
      scanAll(vocabulary.glossary, runs, out);
    }
  return [...out];
}

function texts(text: BilingualText | null | undefined): string[] {
  if (!text) return [];
  return typeof text === 'string' ? [text] : [text['zh-CN'], text.bo ?? ''];
}

/** The keywords that a posting with these terms matches (the reason an alert gives). */
export function keywordHits(keywords: readonly string[], terms: Iterable<string>): string[] {
  const have = new Set(terms);
  return keywords.filter((k) => termsOf([k]).some((t) => have.has(t)));
}

/** A district of the glossary, named in Chinese (城关区 or 城关) or Tibetan → its Chinese name. */
export function districtOf(name: string | null | undefined): string | null {
  if (!name) return null;
  return (
    DISTRICTS.get(
      fold(cleanText(name))
        .trim()
        .replace(/[\u0F0B\u0F0D\s]+$/u, ''),
    ) ?? null
  );
}

/**
 * The glossary district a text names anywhere (城关区, 城关, ཁྲིན་ཀོན་ཆུས), as its Chinese name,
 * with the form found; null when none. The longest form wins (堆龙德庆区 over 堆龙德庆).
 */
export function districtIn(text: string): { zh: string; found: string } | null {
  const folded = fold(cleanText(text));
  for (const [form, zh] of DISTRICT_FORMS) {
    const at = folded.indexOf(form);
    if (at >= 0) return { zh, found: text.slice(at, at + form.length) };
  }
  return null;
}

/** A job category: a slug (the variant groups' ids are categories too). */
export function isCategory(value: string): boolean {
  return CATEGORY.test(value);
}

// ------------------------------------------------------------------------ text → token runs

/** A sequence of tokens with nothing between them: Han characters and Latin/digit words, or Tibetan syllables (tsheg-joined). */
interface Run {
  tokens: string[];
  tibetan: boolean;
}

const TOKEN =
  /(\p{Script=Han})|([\p{Script=Latin}\p{Nd}]+)|([\u0F35\u0F37\u0F39\u0F40-\u0F84\u0F86-\u0FBC]+)/gu;
const TSHEG = 0x0f0b;
/** Title tokens read for free words; description characters read at all. */
const MAX_TITLE_TOKENS = 64;
const MAX_SCAN_TOKENS = 20_000;
const MAX_SCAN_CHARS = 40_000;

function runsOf(text: string, maxTokens: number): Run[] {
  const norm = fold(cleanText(text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text));
  const runs: Run[] = [];
  let run: Run | null = null;
  let end = -1;
  let count = 0;
  for (const m of norm.matchAll(TOKEN)) {
    if (count++ >= maxTokens) break;
    const tibetan = m[3] !== undefined;
    const joined =
      run !== null &&
      run.tibetan === tibetan &&
      (m.index === end || (tibetan && m.index === end + 1 && norm.charCodeAt(end) === TSHEG));
    if (!joined || run === null) {
      run = { tokens: [], tibetan };
      runs.push(run);
    }
    run.tokens.push(tibetan ? stemSyllable(m[0]) : m[0]);
    end = m.index + m[0].length;
  }
  return runs;
}

function join(tokens: readonly string[], tibetan: boolean): string {
  return tokens.join(tibetan ? '\u0F0B' : '');
}

/** Every sequence of up to MAX_KEYWORD_LENGTH tokens of a title run, as a free word. */
function ngrams(run: Run, out: Set<string>): void {
  const { tokens, tibetan } = run;
  for (let i = 0; i < tokens.length; i++) {
    let word = '';
    for (let j = i; j < Math.min(tokens.length, i + MAX_KEYWORD_LENGTH); j++) {
      word = j === i ? tokens[j]! : word + (tibetan ? '\u0F0B' : '') + tokens[j]!;
      out.add(`w:${word}`);
    }
  }
}

/**
 * One keyword run's terms: when known forms (variants, glossary terms, stop-words) cover the run
 * exactly, in as few pieces as possible (保安工作 = 保安 + 工作), their terms; otherwise the run is
 * a free word, without the stop-words around it (夜班保安工作 → w:夜班保安).
 */
function keywordRunTerms(run: Run, out: Set<string>): void {
  const { tokens, tibetan } = run;
  const n = tokens.length;
  const best: number[] = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? 0 : Infinity));
  const piece: (KeywordEntry | null)[] = new Array<KeywordEntry | null>(n + 1).fill(null);
  const start: number[] = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) {
    if (best[i] === Infinity) continue;
    for (let j = i + 1; j <= Math.min(n, i + vocabulary.longest); j++) {
      const entry = vocabulary.keywords.get(join(tokens.slice(i, j), tibetan));
      if (entry && best[i]! + 1 < best[j]!) {
        best[j] = best[i]! + 1;
        piece[j] = entry;
        start[j] = i;
      }
    }
  }
  if (best[n] !== Infinity) {
    for (let j = n; j > 0; j = start[j]!) for (const t of piece[j]!.terms) out.add(t);
    return;
  }
  let a = 0;
  let b = n;
  for (
    let cut = stopAt(tokens, tibetan, a, b, true);
    cut > 0;
    cut = stopAt(tokens, tibetan, a, b, true)
  )
    a += cut;
  for (
    let cut = stopAt(tokens, tibetan, a, b, false);
    cut > 0;
    cut = stopAt(tokens, tibetan, a, b, false)
  )
    b -= cut;
  if (a < b) out.add(`w:${join(tokens.slice(a, b), tibetan)}`);
}

/** Length of the longest stop-word at the start (or end) of tokens[a..b), 0 when none. */
function stopAt(
  tokens: string[],
  tibetan: boolean,
  a: number,
  b: number,
  atStart: boolean,
): number {
  for (let len = Math.min(b - a - 1, vocabulary.longest); len > 0; len--) {
    const slice = atStart ? tokens.slice(a, a + len) : tokens.slice(b - len, b);
    if (vocabulary.keywords.get(join(slice, tibetan))?.stop) return len;
  }
  return 0;
}

// --------------------------------------------------------------------------- scanning postings

interface TrieNode {
  next: Map<string, TrieNode>;
  terms: string[] | null;
}

function trieAdd(root: TrieNode, tokens: readonly string[], terms: Iterable<string>): void {
  let node = root;
  for (const t of tokens) {
    let child = node.next.get(t);
    if (!child) {
      child = { next: new Map(), terms: null };
      node.next.set(t, child);
    }
    node = child;
  }
  node.terms = [...new Set([...(node.terms ?? []), ...terms])];
}

/** Leftmost-longest matches (叉车司机 is warehouse work, not the 司机 inside it); true when any. */
function scanLongest(root: TrieNode, runs: readonly Run[], out: Set<string>): boolean {
  let found = false;
  for (const { tokens } of runs) {
    for (let i = 0; i < tokens.length;) {
      let node: TrieNode | undefined = root;
      let hit: string[] | null = null;
      let end = i + 1;
      for (let j = i; j < tokens.length && node; j++) {
        node = node.next.get(tokens[j]!);
        if (node?.terms) {
          hit = node.terms;
          end = j + 1;
        }
      }
      if (hit) for (const t of hit) out.add(t);
      found ||= hit !== null;
      i = hit ? end : i + 1;
    }
  }
  return found;
}

/** Every match, overlapping ones included (ལས་རིགས་ལག་རྩལ་སྦྱོང་བརྡར gives 职业技能培训 and 培训). */
function scanAll(root: TrieNode, runs: readonly Run[], out: Set<string>): void {
  for (const { tokens } of runs) {
    for (let i = 0; i < tokens.length; i++) {
      let node: TrieNode | undefined = root;
      for (let j = i; j < tokens.length && node; j++) {
        node = node.next.get(tokens[j]!);
        if (node?.terms) for (const t of node.terms) out.add(t);
      }
    }
  }
}

// ------------------------------------------------------------------------- the vocabulary

interface KeywordEntry {
  stop: boolean;
  terms: string[];
}

const variantsSchema = z.object({
  stop: z.object({ 'zh-CN': z.array(z.string()), bo: z.array(z.string()) }),
  groups: z.array(
    z.object({
      id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
      zh: z.array(z.string()).min(1),
      narrower: z.array(z.string()).default([]),
      bo: z.array(z.object({ form: z.string(), from: z.string() })).default([]),
    }),
  ),
});
const glossarySchema = z.object({
  terms: z.array(z.object({ zh: z.string(), bo: z.string() }).loose()).default([]),
  loanwords: z.array(z.object({ zh: z.string(), bo: z.array(z.string()) }).loose()).default([]),
  districts: z.array(z.object({ zh: z.string(), bo: z.string() }).loose()).default([]),
});
export type Variants = z.infer<typeof variantsSchema>;

// src/jobs/ and dist/jobs/ both sit two levels under the project root.
const VARIANTS_TEXT = readFileSync(
  new URL('../../knowledge/jobs/variants.json', import.meta.url),
  'utf8',
);
const GLOSSARY_TEXT = readFileSync(new URL('../../locales/glossary.json', import.meta.url), 'utf8');
/** The shipped variant table (for tests and review tools). */
export const VARIANTS: Variants = variantsSchema.parse(JSON.parse(VARIANTS_TEXT));
const glossary = glossarySchema.parse(JSON.parse(GLOSSARY_TEXT));

/** Changes whenever the variant table, the glossary or the way terms are made does: the index version. */
export const VOCABULARY_VERSION = createHash('sha256')
  .update(`terms-v1\n${VARIANTS_TEXT}\n${GLOSSARY_TEXT}`)
  .digest('hex')
  .slice(0, 16);

export const GROUP_IDS: ReadonlySet<string> = new Set(VARIANTS.groups.map((g) => g.id));
// as job postings take it (job.schema.ts)
const CATEGORY = /^[a-z0-9][a-z0-9-]{0,39}$/;

const DISTRICTS: ReadonlyMap<string, string> = new Map(
  glossary.districts.flatMap((d) => {
    const zh = fold(d.zh);
    const short = zh.replace(/[区县]$/u, '');
    return [
      [zh, d.zh],
      [short, d.zh],
      // 堆龙 for 堆龙德庆区, 墨竹 for 墨竹工卡县: how people say them.
      ...(short.length >= 4 ? [[short.slice(0, 2), d.zh] as const] : []),
      [fold(d.bo).replace(/[\u0F0B\u0F0D\s]+$/u, ''), d.zh],
    ] as const;
  }),
);

/** Every district form, longest first (two-character short forms like 城关 are kept). */
const DISTRICT_FORMS = [...DISTRICTS]
  .filter(([form]) => form.length >= 2)
  .sort((a, b) => b[0].length - a[0].length);

/** Tibetan forms of a Chinese word in the glossary: its `terms` (split at " / ") and `loanwords`. */
function glossaryTibetan(): Map<string, string[]> {
  const byZh = new Map<string, string[]>();
  const add = (zh: string, bo: string) => {
    const z = zh.replace(/[（(][^）)]*[）)]|[《》]/gu, '').trim();
    const b = bo.replace(/[（(][^）)]*[）)]|[《》“”]/gu, '').trim();
    if (/^\p{Script=Han}+$/u.test(z) && /^[\u0F00-\u0FFF]+$/u.test(b))
      byZh.set(z, [...(byZh.get(z) ?? []), b]);
  };
  for (const t of glossary.terms) {
    const zh = t.zh.split(' / ');
    const bo = t.bo.split(' / ');
    if (bo.length === zh.length) zh.forEach((z, i) => add(z, bo[i]!));
    else if (bo.length === 1) zh.forEach((z) => add(z, bo[0]!));
  }
  for (const l of glossary.loanwords) for (const b of l.bo) add(l.zh, b);
  return byZh;
}

/** A form as one run of tokens (null when it is not one: punctuation, mixed scripts). */
function formRun(form: string): Run | null {
  const runs = runsOf(form, MAX_KEYWORD_LENGTH);
  return runs.length === 1 ? runs[0]! : null;
}

function buildVocabulary(variants: Variants) {
  const keywords = new Map<string, KeywordEntry>();
  const groups: TrieNode = { next: new Map(), terms: null };
  const glossaryTrie: TrieNode = { next: new Map(), terms: null };
  const tibetan = glossaryTibetan();
  let longest = 1;
  const addKeyword = (run: Run, stop: boolean, terms: readonly string[]) => {
    const key = join(run.tokens, run.tibetan);
    const seen = keywords.get(key);
    keywords.set(key, {
      stop: stop && (seen?.stop ?? true),
      terms: [...new Set([...(seen?.terms ?? []), ...terms])],
    });
    longest = Math.max(longest, run.tokens.length);
  };

  // a stop-word's glossary forms are stop-words too (ཀང་ཝེ is 岗位 in Tibetan letters)
  const stops = variants.stop['zh-CN'].flatMap((zh) => [zh, ...(tibetan.get(zh) ?? [])]);
  for (const word of [...stops, ...variants.stop.bo]) {
    const run = formRun(word);
    if (run) addKeyword(run, true, []);
  }
  const inGroups = new Set<string>();
  for (const g of variants.groups) {
    const group = `g:${g.id}`;
    const forms = [
      ...g.zh.map((zh) => ({ zh, narrower: false })),
      ...g.narrower.map((zh) => ({ zh, narrower: true })),
    ];
    for (const { zh, narrower } of forms) {
      const run = formRun(zh);
      if (!run) continue;
      inGroups.add(zh);
      const word = `w:${join(run.tokens, run.tibetan)}`;
      const boForms = (tibetan.get(zh) ?? []).map(formRun).filter((r) => r !== null);
      for (const r of [run, ...boForms]) {
        trieAdd(groups, r.tokens, narrower ? [group, word] : [group]);
        addKeyword(r, false, narrower ? [word] : [group]);
      }
    }
    for (const { form } of g.bo) {
      const run = formRun(form);
      if (!run) continue;
      trieAdd(groups, run.tokens, [group]);
      addKeyword(run, false, [group]);
    }
  }
  // stop-words and kinds of work keep their meaning (ལས་གནས is 岗位, but names no work)
  const reserved = new Set(keywords.keys());
  for (const [zh, boForms] of tibetan) {
    const zhRun = formRun(zh);
    if (inGroups.has(zh) || !zhRun) continue;
    const word = `w:${join(zhRun.tokens, false)}`;
    for (const run of boForms.map(formRun)) {
      if (!run || reserved.has(join(run.tokens, true))) continue;
      trieAdd(glossaryTrie, run.tokens, [word]);
      addKeyword(run, false, [word, `w:${join(run.tokens, true)}`]);
    }
  }
  return { keywords, groups, glossary: glossaryTrie, longest };
}

const vocabulary = buildVocabulary(VARIANTS);

function codePoints(s: string): number {
  if (s.length > 2 * MAX_KEYWORD_LENGTH) return s.length; // more than enough to be too long
  let n = 0;
  for (const _ of s) n++;
  return n;
}
