/**
 * npm run kb:check [cardsDir [examplesDir]] — checks every policy card in knowledge/cards: schema, both
 * languages, no Chinese in Tibetan fields, every Tibetan syllable known to hunspell-bo (after
 * proving the checker can fail), unique ids equal to file names, every topic covered, reviewedAt
 * not in the future. Cards not reviewed for 365 days, and cards whose own title does not find
 * their topic, are warnings. It also checks knowledge/examples (the classifier's training
 * questions): valid lines, no repeats, none copied from an evaluation set, and warns of a topic
 * with few examples in a language. Prints figures; exits non-zero on any problem.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CARD_KEYS, TOPICS, cardSchema, type PolicyCard } from '../src/knowledge/card.schema.js';
import { trainTopicClassifier } from '../src/knowledge/classifier.js';
import { loadDistressLines } from '../src/knowledge/distress-examples.js';
import { loadExamplesFromDir } from '../src/knowledge/examples.js';
import { hasPersonalNumber } from '../src/lib/personal-number.js';
import { createKnowledgeIndex } from '../src/knowledge/index.js';
import { topicOf } from '../src/knowledge/qa-line.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const DIR = process.argv[2] ?? join(ROOT, 'knowledge', 'cards');
const ALLOW_FILE = join(ROOT, 'test', 'hunspell-allow.txt');
const STALE_DAYS = 365;
const TEXT_FIELDS = ['source', 'title', 'short', 'details', 'where'] as const;
/** Letters, vowel signs and subjoined letters: everything else separates Tibetan syllables. */
const SYLLABLE = /[\u0F35\u0F37\u0F39\u0F40-\u0F84\u0F86-\u0FBC]+/gu;
const TIBETAN_LETTER = /[\u0F40-\u0F6C]/u;
const TIBETAN = /[\u0F00-\u0FFF]/u;
const HAN = /\p{Script=Han}/u;
const CANARIES = ['ཀྐྐ', 'ལསཀ'];

const problems: string[] = [];
const warnings: string[] = [];
const problem = (where: string, msg: string): number => problems.push(`${where}: ${msg}`);
const warn = (where: string, msg: string): number => warnings.push(`${where}: ${msg}`);

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const cards: PolicyCard[] = [];
const ids = new Map<string, string>();
/** syllable → files it appears in */
const syllables = new Map<string, Set<string>>();

for (const file of files) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
  } catch (err) {
    problem(file, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    continue;
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const key of Object.keys(raw))
      if (!CARD_KEYS.has(key)) problem(file, `unknown field "${key}"`);
  }
  const parsed = cardSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues)
      problem(file, `${i.path.join('.') || '(card)'}: ${i.message}`);
    continue;
  }
  const card = parsed.data;
  if (card.id !== basename(file, '.json'))
    problem(file, `id "${card.id}" does not match the file name`);
  const other = ids.get(card.id);
  if (other) problem(file, `id "${card.id}" already used by ${other}`);
  ids.set(card.id, file);

  const bo: string[] = [...card.keywords.bo];
  for (const field of TEXT_FIELDS) {
    if (!TIBETAN_LETTER.test(card[field].bo)) problem(file, `${field}.bo has no Tibetan`);
    if (TIBETAN.test(card[field]['zh-CN'])) problem(file, `${field}.zh-CN contains Tibetan`);
    if (!HAN.test(card[field]['zh-CN'])) problem(file, `${field}.zh-CN has no Chinese`);
    bo.push(card[field].bo);
  }
  for (const kw of card.keywords.bo)
    if (!TIBETAN_LETTER.test(kw)) problem(file, `keywords.bo "${kw}" has no Tibetan`);
  for (const kw of card.keywords['zh-CN'])
    if (TIBETAN.test(kw)) problem(file, `keywords.zh-CN "${kw}" contains Tibetan`);
  for (const text of bo) {
    for (const s of text.normalize('NFC').match(SYLLABLE) ?? []) {
      const set = syllables.get(s) ?? new Set<string>();
      set.add(file);
      syllables.set(s, set);
    }
  }

  if (card.reviewedAt > today)
    problem(file, `reviewedAt ${card.reviewedAt} is in the future (today ${today})`);
  const age = (Date.parse(today) - Date.parse(card.reviewedAt)) / 86_400_000;
  if (age > STALE_DAYS)
    warn(file, `reviewedAt ${card.reviewedAt} is ${Math.floor(age)} days old: review it`);
  cards.push(card);
}

// Tibetan spelling: hunspell-bo, one syllable per line, only Tibetan runs.
const allowed = readAllowList(ALLOW_FILE);
const rejected = hunspell([...CANARIES, ...syllables.keys()]);
if (rejected === null)
  problem(
    'hunspell',
    'could not run `hunspell -i utf-8 -d bo -l` (apt-get install hunspell hunspell-bo)',
  );
else {
  const missed = CANARIES.filter((c) => !rejected.has(c));
  if (missed.length > 0)
    problem(
      'hunspell',
      `does not reject known-bad syllables (${missed.join(' ')}): the check checks nothing`,
    );
  for (const [s, where] of syllables) {
    if (rejected.has(s) && !allowed.has(s))
      problem([...where].join(', '), `hunspell-bo rejects the syllable ${s}`);
  }
}

const perTopic = new Map<string, PolicyCard[]>(TOPICS.map((t) => [t, []]));
for (const card of cards) perTopic.get(card.topic)?.push(card);
for (const [topic, list] of perTopic)
  if (list.length === 0) problem('coverage', `no card for topic ${topic}`);

// Examples the classifier learns from: valid lines, both languages for every topic, and none of
// them copied from an evaluation set (that would turn the set into training data).
const EXAMPLES_DIR = process.argv[3] ?? join(ROOT, 'knowledge', 'examples');
const MIN_EXAMPLES = 5;
const examples = existsSync(EXAMPLES_DIR)
  ? loadExamplesFromDir(EXAMPLES_DIR, (where, msg) => problem(`examples/${where}`, msg))
  : [];
if (examples.length === 0) problem('examples', 'knowledge/examples has no examples');
const evalTexts = new Set(
  [join(ROOT, 'knowledge', 'eval')]
    .flatMap((p) =>
      !existsSync(p)
        ? []
        : p.endsWith('.jsonl')
          ? [p]
          : readdirSync(p)
              .filter((f) => f.endsWith('.jsonl'))
              .map((f) => join(p, f)),
    )
    .flatMap((p) => readFileSync(p, 'utf8').split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => exampleText(l)),
);
const exampleCount = new Map<string, number>();
const exampleTexts = new Set<string>();
for (const { where, text, lang, topic } of examples) {
  const at = `examples/${where}`;
  const key = text.normalize('NFC').trim();
  if (exampleTexts.has(key)) problem(at, 'the same text is already an example');
  exampleTexts.add(key);
  if (evalTexts.has(key)) problem(at, 'copied from an evaluation set');
  if (hasPersonalNumber(text)) problem(at, 'contains a phone or ID number');
  exampleCount.set(`${topic} ${lang}`, (exampleCount.get(`${topic} ${lang}`) ?? 0) + 1);
}
// Distress messages the distress model learns from: valid, no repeats, no evaluation copies, no
// personal numbers, and both labels in both languages.
const DISTRESS_DIR = join(ROOT, 'knowledge', 'distress');
try {
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (const { where, text, lang, distress } of existsSync(DISTRESS_DIR)
    ? loadDistressLines(DISTRESS_DIR)
    : []) {
    const at = `distress/${where}`;
    const key = text.normalize('NFC').trim();
    if (seen.has(key)) problem(at, 'the same text is already a distress line');
    seen.add(key);
    if (evalTexts.has(key)) problem(at, 'copied from an evaluation set');
    if (hasPersonalNumber(text)) problem(at, 'contains a phone or ID number');
    counts.set(`${lang} ${distress}`, (counts.get(`${lang} ${distress}`) ?? 0) + 1);
  }
  for (const lang of ['zh-CN', 'bo'])
    for (const label of [true, false])
      if ((counts.get(`${lang} ${label}`) ?? 0) < MIN_EXAMPLES)
        problem('distress', `fewer than ${MIN_EXAMPLES} ${lang} lines with distress: ${label}`);
} catch (err) {
  problem('distress', err instanceof Error ? err.message : 'unreadable');
}

for (const topic of [...TOPICS, 'none'])
  for (const lang of ['zh-CN', 'bo'])
    if ((exampleCount.get(`${topic} ${lang}`) ?? 0) < MIN_EXAMPLES)
      warn('examples', `${topic} has fewer than ${MIN_EXAMPLES} ${lang} examples`);

// Retrieval sanity: a card's own title should lead to its topic (else its keywords need work).
const index = createKnowledgeIndex(cards, {
  classifier: examples.length > 0 ? trainTopicClassifier(examples) : undefined,
});
for (const card of cards) {
  for (const lang of ['zh-CN', 'bo'] as const) {
    const { topic } = topicOf(index.decide(card.title[lang], lang));
    if (topic !== card.topic)
      warn(`${card.id}.json`, `its ${lang} title finds ${topic}, not ${card.topic}`);
  }
}

console.log(
  `cards: ${cards.length} valid of ${files.length} files; Tibetan syllables: ${syllables.size}; examples: ${exampleTexts.size}`,
);
for (const [topic, list] of perTopic) console.log(`  ${topic.padEnd(26)} ${list.length}`);
for (const w of warnings) console.log(`warning: ${w}`);
for (const p of problems) console.error(`problem: ${p}`);
console.log(`${problems.length} problem(s), ${warnings.length} warning(s)`);
if (problems.length > 0) process.exitCode = 1;

/** The text of an evaluation line (or the line itself when it is not one), as examples are compared. */
function exampleText(line: string): string {
  try {
    const { text } = JSON.parse(line) as { text?: unknown };
    return typeof text === 'string' ? text.normalize('NFC').trim() : line;
  } catch {
    return line;
  }
}

/** The syllables hunspell-bo rejects, or null when hunspell cannot run. */
function hunspell(words: string[]): Set<string> | null {
  const r = spawnSync('hunspell', ['-i', 'utf-8', '-d', 'bo', '-l'], {
    input: `${words.join('\n')}\n`,
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
  });
  if (r.error || r.status !== 0) return null;
  return new Set(
    r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** test/hunspell-allow.txt: one syllable per line, `#` comments (shared with the locale tests). */
function readAllowList(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  return new Set(
    readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim().normalize('NFC'))
      .filter(Boolean),
  );
}
