import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cardSchema, type PolicyCard } from './card.schema.js';

export interface LoadOptions {
  /** Called for a card that does not load; without it the first bad card throws. */
  onInvalid?: (file: string, problem: string) => void;
}

/**
 * Reads every `*.json` in `dir` (one card per file, sorted by name), validates it and checks that
 * the id equals the file name. Throws `Error("<file>: <problem>")` on the first bad card unless
 * `onInvalid` is given, in which case bad cards are reported and skipped.
 */
export function loadCardsFromDir(dir: string, options: LoadOptions = {}): PolicyCard[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const cards: PolicyCard[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const problem = (msg: string): void => {
      if (!options.onInvalid) throw new Error(`${file}: ${msg}`);
      options.onInvalid(file, msg);
    };
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      problem(`not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    const parsed = cardSchema.safeParse(raw);
    if (!parsed.success) {
      problem(
        parsed.error.issues.map((i) => `${i.path.join('.') || '(card)'}: ${i.message}`).join('; '),
      );
      continue;
    }
    const card = parsed.data;
    if (card.id !== basename(file, '.json')) {
      problem(`id "${card.id}" does not match the file name`);
      continue;
    }
    if (seen.has(card.id)) {
      problem(`duplicate id "${card.id}"`);
      continue;
    }
    seen.add(card.id);
    cards.push(card);
  }
  return cards;
}
