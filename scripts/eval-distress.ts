/**
 * The distress figures of `npm run eval:qa`: recall (messages with distress flagged) and false
 * alarms (messages without it flagged), per language, for a five-fold cross-validation over
 * knowledge/distress and for the unseen sets knowledge/eval/distress*.jsonl (figures only).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { detectDistress } from '../src/knowledge/distress.js';
import {
  loadDistressFile,
  loadDistressLines,
  type DistressLine,
} from '../src/knowledge/distress-examples.js';
import { trainDistressModel } from '../src/knowledge/distress-model.js';
import { shippedExamples } from '../src/knowledge/examples.js';
import type { KnowledgeIndex } from '../src/knowledge/index.js';

type Lang = 'zh-CN' | 'bo';
interface Rates {
  recall: { right: number; total: number };
  falseAlarms: { right: number; total: number };
}

const pct = (b: { right: number; total: number }): string =>
  b.total === 0 ? 'n/a' : `${((100 * b.right) / b.total).toFixed(1)}% (${b.right}/${b.total})`;

function tally(
  lines: readonly DistressLine[],
  flag: (text: string) => boolean,
): Record<Lang, Rates> {
  const out: Record<Lang, Rates> = {
    'zh-CN': { recall: { right: 0, total: 0 }, falseAlarms: { right: 0, total: 0 } },
    bo: { recall: { right: 0, total: 0 }, falseAlarms: { right: 0, total: 0 } },
  };
  for (const l of lines) {
    const r = out[l.lang];
    const bucket = l.distress ? r.recall : r.falseAlarms;
    bucket.total++;
    if (flag(l.text)) bucket.right++;
  }
  return out;
}

function print(label: string, rates: Record<Lang, Rates>): void {
  console.log(`${label}:`);
  for (const lang of ['zh-CN', 'bo'] as const)
    console.log(
      `  ${lang.padEnd(5)} recall ${pct(rates[lang].recall)}   false alarms ${pct(rates[lang].falseAlarms)}`,
    );
}

export function evalDistress(root: string, index: KnowledgeIndex): void {
  const dir = join(root, 'knowledge', 'distress');
  const lines = existsSync(dir) ? loadDistressLines(dir) : [];
  const ordinary = shippedExamples(join(root, 'knowledge', 'examples'))
    .filter((e) => !detectDistress(e.text))
    .map((e) => ({ text: e.text, distress: false }));
  const FOLDS = 5;
  const flagged = new Set<string>();
  for (let fold = 0; fold < FOLDS; fold++) {
    const model = trainDistressModel([
      ...lines.filter((_, i) => i % FOLDS !== fold),
      ...ordinary.filter((_, i) => i % FOLDS !== fold),
    ]);
    for (const l of lines.filter((_, i) => i % FOLDS === fold))
      if (detectDistress(l.text) || model.flags(l.text)) flagged.add(l.text);
  }
  print(
    `distress, ${FOLDS}-fold cross-validation (knowledge/distress)`,
    tally(lines, (text) => flagged.has(text)),
  );
  print('distress, lexicon alone on the same lines', tally(lines, detectDistress));
  for (const file of ['distress.jsonl', 'distress2.jsonl', 'distress3.jsonl']) {
    const unseen = join(root, 'knowledge', 'eval', file);
    if (existsSync(unseen))
      print(
        `distress, unseen ${file} (report only)`,
        tally(loadDistressFile(unseen), (text) => index.isDistress(text)),
      );
  }
}
