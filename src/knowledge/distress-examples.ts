import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { detectDistress } from './distress.js';
import {
  trainDistressModel,
  trainDistressModelAsync,
  type DistressExample,
  type DistressModel,
} from './distress-model.js';
import { shippedExamples } from './examples.js';

/** One line of knowledge/distress/*.jsonl (and of the distress evaluation sets). */
export const distressLineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  lang: z.enum(['zh-CN', 'bo']),
  text: z.string().min(1),
  distress: z.boolean(),
  /** what the line is an instance of (indirect, farewell, exaggeration, policy-word …) */
  kind: z.string().optional(),
});
export type DistressLine = z.infer<typeof distressLineSchema> & { where: string };

/** Every line of the `*.jsonl` files in `dir`, sorted by file name; a bad line throws `file:line: …`. */
export function loadDistressLines(dir: string): DistressLine[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => loadDistressFile(join(dir, f)));
}

/** The lines of one file; a bad line throws `file:line: …`. */
export function loadDistressFile(path: string): DistressLine[] {
  const file = basename(path);
  const out: DistressLine[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${file}:${i + 1}`;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        throw new Error(`${where}: not JSON`);
      }
      const parsed = distressLineSchema.safeParse(raw);
      if (!parsed.success)
        throw new Error(
          `${where}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
        );
      out.push({ ...parsed.data, where });
    });
  return out;
}

/**
 * What the distress model learns from: the labelled lines of knowledge/distress, and every topic
 * example of knowledge/examples as a message without distress (thousands of ordinary questions,
 * stress and sadness included) unless the lexicon flags it.
 */
export function distressTraining(distressDir: string, examplesDir: string): DistressExample[] {
  const labelled = loadDistressLines(distressDir).map(({ text, distress }) => ({ text, distress }));
  const ordinary = shippedExamples(examplesDir)
    .filter((e) => !detectDistress(e.text))
    .map((e) => ({ text: e.text, distress: false }));
  return [...labelled, ...ordinary];
}

const byDirs = new Map<string, DistressModel>();

/** The model learnt from the shipped data, once per process (command-line tools). */
export function distressModelFromDirs(distressDir: string, examplesDir: string): DistressModel {
  const key = `${distressDir}\n${examplesDir}`;
  let model = byDirs.get(key);
  if (!model) {
    model = trainDistressModel(distressTraining(distressDir, examplesDir));
    byDirs.set(key, model);
  }
  return model;
}

/** The same, trained in slices so a starting server keeps its event loop turning. */
export async function distressModelFromDirsAsync(
  distressDir: string,
  examplesDir: string,
): Promise<DistressModel> {
  const key = `${distressDir}\n${examplesDir}`;
  const cached = byDirs.get(key);
  if (cached) return cached;
  const model = await trainDistressModelAsync(distressTraining(distressDir, examplesDir));
  byDirs.set(key, model);
  return model;
}
