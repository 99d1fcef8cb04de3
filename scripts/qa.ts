/**
 * npm run -s qa — policy Q&A from the command line: JSON lines `{"id","lang","text"}` on stdin,
 * one line `{"id","topic","confidence","distress"}` per input on stdout and nothing else there (warnings go
 * to stderr). Loads knowledge/cards directly (or the card directory given as the first argument) and the
 * classifier learnt from knowledge/examples; needs no running servers.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerLine } from '../src/knowledge/qa-line.js';
import { shippedKnowledge } from '../src/knowledge/shipped.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const { index } = shippedKnowledge(
  ROOT,
  (file, problem) => process.stderr.write(`qa: skipped card ${file}: ${problem}\n`),
  process.argv[2],
);

let n = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  n++;
  if (line.trim() === '') continue;
  const { problem, ...result } = answerLine(index, line);
  if (problem) process.stderr.write(`qa: line ${n}: ${problem}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
