import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TOPICS } from './card.schema.js';
import {
  trainTopicClassifier,
  trainTopicClassifierAsync,
  type Example,
  type TopicClassifier,
} from './classifier.js';
import type { Lang } from '../messaging/lang.js';

/** One line of knowledge/examples/*.jsonl (the eval format: `accept` is kept but not learnt from). */
export const exampleSchema = z.object({
  id: z.union([z.string(), z.number()]),
  lang: z.enum(['zh-CN', 'bo']),
  text: z.string().min(1),
  topic: z.enum([...TOPICS, 'none']),
  accept: z.array(z.enum(TOPICS)).optional(),
});

/** An example as read from its file: its language and where it is, for checks and messages. */
export interface LoadedExample extends Example {
  lang: Lang;
  /** other topics a fair reader would accept (kept for evaluation, not learnt from) */
  accept?: string[];
  /** `<file>:<line>` */
  where: string;
}

/**
 * Every example in the `*.jsonl` files of `dir` (sorted by file name, then line order). A bad
 * line throws `Error("<file>:<line>: <problem>")` unless `onInvalid` is given, which then hears
 * of it and the line is skipped.
 */
export function loadExamplesFromDir(
  dir: string,
  onInvalid?: (where: string, problem: string) => void,
): LoadedExample[] {
  const out: LoadedExample[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  for (const file of files) {
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const where = `${file}:${i + 1}`;
        let problem: string;
        try {
          const parsed = exampleSchema.safeParse(JSON.parse(line));
          if (parsed.success) {
            const { text, topic, lang, accept } = parsed.data;
            out.push({ text, topic, lang, where, ...(accept ? { accept } : {}) });
            return;
          }
          problem = parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ');
        } catch {
          problem = 'not JSON';
        }
        if (!onInvalid) throw new Error(`${where}: ${problem}`);
        onInvalid(where, problem);
      });
  }
  return out;
}

const shippedByDir = new Map<string, readonly Example[]>();

/** The examples shipped in `dir`, read once per process (a bad line throws). */
export function shippedExamples(dir: string): readonly Example[] {
  let list = shippedByDir.get(dir);
  if (!list) {
    list = loadExamplesFromDir(dir);
    shippedByDir.set(dir, list);
  }
  return list;
}

/** The last classifier a running server trained, and what it was trained on. */
let latest: { shipped: readonly Example[]; key: string; clf: TopicClassifier } | null = null;

/**
 * The classifier learnt from `shipped` plus `taught`, trained in slices so the server keeps
 * answering. It is retrained only when `taughtKey` (which changes whenever the taught set does)
 * or the shipped list differ from the last call: a card edit reloads the index without training
 * again, and so does another app in the same process.
 */
export async function trainedClassifier(
  shipped: readonly Example[],
  taught: readonly Example[],
  taughtKey: string,
): Promise<TopicClassifier> {
  if (latest?.shipped === shipped && latest.key === taughtKey) return latest.clf;
  const clf = await trainTopicClassifierAsync([...shipped, ...taught]);
  latest = { shipped, key: taughtKey, clf };
  return clf;
}

const byDir = new Map<string, TopicClassifier>();

/** The classifier learnt from the examples shipped in `dir` alone (the command-line tools). */
export function classifierFromDir(dir: string): TopicClassifier {
  let clf = byDir.get(dir);
  if (!clf) {
    clf = trainTopicClassifier(shippedExamples(dir));
    byDir.set(dir, clf);
  }
  return clf;
}
