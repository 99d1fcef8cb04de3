import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TOPICS } from './card.schema.js';
import { classifierFromDir, loadExamplesFromDir } from './examples.js';

const SHIPPED = join(fileURLToPath(import.meta.url), '..', '..', '..', 'knowledge', 'examples');

describe('knowledge/examples', () => {
  it('are all valid and teach every topic and none', () => {
    const examples = loadExamplesFromDir(SHIPPED);
    const topics = new Set(examples.map((e) => e.topic));
    expect([...topics].sort()).toEqual([...TOPICS, 'none'].sort());
  });

  it('train one classifier per directory and process', () => {
    expect(classifierFromDir(SHIPPED)).toBe(classifierFromDir(SHIPPED));
  });

  it('name the file and line of a bad example, or skip it when told to', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamton-examples-'));
    writeFileSync(
      join(dir, 'a.jsonl'),
      [
        JSON.stringify({ id: 1, lang: 'zh-CN', text: '工钱拖了三个月', topic: 'labor-rights' }),
        '',
        '{not json',
        JSON.stringify({ id: 2, lang: 'fr', text: 'salut', topic: 'none' }),
      ].join('\n'),
    );
    expect(() => loadExamplesFromDir(dir)).toThrow('a.jsonl:3: not JSON');
    const bad: string[] = [];
    const ok = loadExamplesFromDir(dir, (where) => bad.push(where));
    expect(ok).toEqual([
      { text: '工钱拖了三个月', topic: 'labor-rights', lang: 'zh-CN', where: 'a.jsonl:1' },
    ]);
    expect(bad).toEqual(['a.jsonl:3', 'a.jsonl:4']);
  });
});
