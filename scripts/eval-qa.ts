/**
 * npm run eval:qa [dev.jsonl] — runs the dev set (default ../shared/eval/qa-dev.jsonl) through the
 * same path as `npm run -s qa` and prints top-1 accuracy per language and the share of off-topic
 * questions declined; exits non-zero below the targets. When knowledge/eval/heldout.jsonl exists
 * its figures are printed too, labelled "held-out (report only)": never gated on, and its
 * questions and answers are never printed. When knowledge/eval/tuning.jsonl exists it is run as
 * "tuning (development)": figures and misses printed, never gated on. When
 * knowledge/eval/validation.jsonl exists it is run as "validation (tuning)": it has become one
 * more tuning set, so its figures and misses are printed too, never gated on. When
 * knowledge/eval/check2.jsonl exists its figures are printed as "check2 (report only)": aggregates
 * only, never its questions, answers or misses, never gated on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createKnowledgeIndex, type KnowledgeIndex } from '../src/knowledge/index.js';
import { loadCardsFromDir } from '../src/knowledge/load-cards.js';
import { answerLine } from '../src/knowledge/qa-line.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const TARGETS = { 'zh-CN': 0.9, bo: 0.85, offTopic: 0.9 } as const;

const itemSchema = z.object({
  id: z.union([z.string(), z.number()]),
  lang: z.enum(['zh-CN', 'bo']),
  text: z.string(),
  topic: z.string(),
  accept: z.array(z.string()).optional(),
});
type Item = z.infer<typeof itemSchema>;

interface Figures {
  'zh-CN': { right: number; total: number };
  bo: { right: number; total: number };
  offTopic: { right: number; total: number };
  misses: { item: Item; got: string; confidence: number }[];
}

function run(index: KnowledgeIndex, lines: string[]): Figures {
  const f: Figures = {
    'zh-CN': { right: 0, total: 0 },
    bo: { right: 0, total: 0 },
    offTopic: { right: 0, total: 0 },
    misses: [],
  };
  for (const line of lines) {
    const item = itemSchema.parse(JSON.parse(line));
    const { topic, confidence } = answerLine(index, line);
    const ok =
      item.topic === 'none'
        ? topic === 'none'
        : topic === item.topic || (item.accept ?? []).includes(topic);
    const bucket = item.topic === 'none' ? f.offTopic : f[item.lang];
    bucket.total++;
    if (ok) bucket.right++;
    else f.misses.push({ item, got: topic, confidence });
  }
  return f;
}

function printMisses(f: Figures): void {
  for (const m of f.misses) {
    const want = [m.item.topic, ...(m.item.accept ?? [])].join('|');
    console.log(
      `  miss ${m.item.id} [${m.item.lang}] want ${want}, got ${m.got} (${m.confidence}): ${m.item.text}`,
    );
  }
}

const pct = (b: { right: number; total: number }): string =>
  b.total === 0 ? 'n/a' : `${((100 * b.right) / b.total).toFixed(1)}% (${b.right}/${b.total})`;
const share = (b: { right: number; total: number }): number =>
  b.total === 0 ? 1 : b.right / b.total;
const readLines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

const cards = loadCardsFromDir(join(ROOT, 'knowledge', 'cards'), {
  onInvalid: (file, problem) => console.error(`eval:qa: skipped card ${file}: ${problem}`),
});
const index = createKnowledgeIndex(cards);
const devPath = process.argv[2] ?? join(ROOT, '..', 'shared', 'eval', 'qa-dev.jsonl');
const dev = run(index, readLines(devPath));

console.log(`cards: ${cards.length}`);
console.log(`dev (${devPath}):`);
console.log(`  zh-CN top-1: ${pct(dev['zh-CN'])}   target ≥ ${TARGETS['zh-CN'] * 100}%`);
console.log(`  bo    top-1: ${pct(dev.bo)}   target ≥ ${TARGETS.bo * 100}%`);
console.log(`  off-topic declined: ${pct(dev.offTopic)}   target ≥ ${TARGETS.offTopic * 100}%`);
printMisses(dev);

const tuningPath = join(ROOT, 'knowledge', 'eval', 'tuning.jsonl');
if (existsSync(tuningPath)) {
  try {
    const t = run(index, readLines(tuningPath));
    console.log('tuning (development):');
    console.log(`  zh-CN top-1: ${pct(t['zh-CN'])}`);
    console.log(`  bo    top-1: ${pct(t.bo)}`);
    console.log(`  off-topic declined: ${pct(t.offTopic)}`);
    printMisses(t);
  } catch (err) {
    console.log(
      `tuning (development): could not be read (${err instanceof Error ? err.message : 'error'})`,
    );
  }
}

// Written apart from the retrieval work as a generalisation check, now one more tuning set:
// figures and misses printed. held-out.jsonl is the only unseen set left.
const validationPath = join(ROOT, 'knowledge', 'eval', 'validation.jsonl');
if (existsSync(validationPath)) {
  try {
    const v = run(index, readLines(validationPath));
    console.log('validation (tuning):');
    console.log(`  zh-CN top-1: ${pct(v['zh-CN'])}`);
    console.log(`  bo    top-1: ${pct(v.bo)}`);
    console.log(`  off-topic declined: ${pct(v.offTopic)}`);
    printMisses(v);
  } catch (err) {
    console.log(
      `validation (tuning): could not be read (${err instanceof Error ? err.name : 'error'})`,
    );
  }
}

// Written apart from the retrieval work as a second generalisation check: aggregates only, its
// questions, answers and misses are never printed.
const check2Path = join(ROOT, 'knowledge', 'eval', 'check2.jsonl');
if (existsSync(check2Path)) {
  try {
    const c = run(index, readLines(check2Path));
    console.log('check2 (report only):');
    console.log(`  zh-CN top-1: ${pct(c['zh-CN'])}`);
    console.log(`  bo    top-1: ${pct(c.bo)}`);
    console.log(`  off-topic declined: ${pct(c.offTopic)}`);
  } catch (err) {
    console.log(
      `check2 (report only): could not be read (${err instanceof Error ? err.name : 'error'})`,
    );
  }
}

const heldoutPath = join(ROOT, 'knowledge', 'eval', 'heldout.jsonl');
if (existsSync(heldoutPath)) {
  try {
    const h = run(index, readLines(heldoutPath));
    console.log('held-out (report only):');
    console.log(`  zh-CN top-1: ${pct(h['zh-CN'])}`);
    console.log(`  bo    top-1: ${pct(h.bo)}`);
    console.log(`  off-topic declined: ${pct(h.offTopic)}`);
  } catch (err) {
    console.log(
      `held-out (report only): could not be read (${err instanceof Error ? err.name : 'error'})`,
    );
  }
}

const pass =
  share(dev['zh-CN']) >= TARGETS['zh-CN'] &&
  share(dev.bo) >= TARGETS.bo &&
  share(dev.offTopic) >= TARGETS.offTopic;
if (!pass) {
  console.error('eval:qa: below target');
  process.exitCode = 1;
}
