/**
 * `npm run eval:wishes [file.jsonl …]`: how well plain-language job-alert wishes ("有保安岗位通知我")
 * are recognised (src/jobs/wish.ts). Each line: {"text", "lang", "wish", "keywords"}. Prints, per
 * file and language, the messages read right (wish or not), false alarms, misses, and among the
 * wishes found how many got the right work; `--verbose` lists every error.
 * Default files: knowledge/eval/wishes/dev.jsonl and unseen2.jsonl (each run once unseen, then
 * tuned on) and unseen3.jsonl (written by a helper who saw no code; never tuned on).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { alertWish } from '../src/jobs/wish.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rowSchema = z.object({
  text: z.string(),
  lang: z.enum(['zh-CN', 'bo']),
  wish: z.boolean(),
  keywords: z.array(z.string()),
});
type Row = z.infer<typeof rowSchema>;

interface Tally {
  n: number;
  right: number;
  falseAlarms: number;
  misses: number;
  wishes: number;
  found: number;
  workRight: number;
}

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const files = args.filter((a) => !a.startsWith('--'));
const sets =
  files.length > 0
    ? files
    : [
        `${ROOT}knowledge/eval/wishes/dev.jsonl`,
        `${ROOT}knowledge/eval/wishes/unseen2.jsonl`,
        `${ROOT}knowledge/eval/wishes/unseen3.jsonl`,
      ];

for (const file of sets) {
  const rows: Row[] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => rowSchema.parse(JSON.parse(l)));
  const by = new Map<string, Tally>();
  for (const r of rows) {
    const t = by.get(r.lang) ?? {
      n: 0,
      right: 0,
      falseAlarms: 0,
      misses: 0,
      wishes: 0,
      found: 0,
      workRight: 0,
    };
    by.set(r.lang, t);
    const got = alertWish(r.text);
    t.n++;
    if (r.wish) t.wishes++;
    if (!!got === r.wish) t.right++;
    else if (got) {
      t.falseAlarms++;
      if (verbose) console.log(`false alarm  ${r.lang}  ${r.text}  → ${got.join(' ')}`);
    } else {
      t.misses++;
      if (verbose) console.log(`missed       ${r.lang}  ${r.text}`);
    }
    if (r.wish && got) {
      t.found++;
      const right = r.keywords.every((k) => got.some((g) => g.includes(k) || k.includes(g)));
      if (right) t.workRight++;
      else if (verbose) console.log(`wrong work   ${r.lang}  ${r.text}  → ${got.join(' ')}`);
    }
  }
  console.log(file.replace(ROOT, ''));
  for (const [lang, t] of by)
    console.log(
      `  ${lang}: ${t.right}/${t.n} read right; wishes found ${t.found}/${t.wishes}, ` +
        `false alarms ${t.falseAlarms}/${t.n - t.wishes}; work right ${t.workRight}/${t.found}`,
    );
}
