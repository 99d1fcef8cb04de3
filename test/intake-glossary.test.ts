/**
 * Tibetan terms live in one glossary: the intake's district buttons must say exactly what the
 * glossary says (a reviewer fixes a name there; this test then names the button to follow).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('intake district names', () => {
  it('are the glossary districts, in both languages, every one of them', () => {
    const glossary = read('locales/glossary.json') as { districts: { zh: string; bo: string }[] };
    const zh = (read('locales/zh-CN/intake.json') as { district: Record<string, string> }).district;
    const bo = (read('locales/bo/intake.json') as { district: Record<string, string> }).district;
    const pairs = Object.keys(zh).map((k) => ({ zh: zh[k], bo: bo[k] }));
    expect(pairs).toEqual(glossary.districts.map((d) => ({ zh: d.zh, bo: d.bo })));
    // And each button stores the glossary's Chinese name (what campaigns and the ledger filter on).
    const flow = read('flows/intake.json') as {
      nodes: Record<string, { choices?: { id: string; effects?: { value?: string }[] }[] }>;
    };
    const stored = (flow.nodes['q-district']?.choices ?? [])
      .map((c) => c.effects?.[0]?.value)
      .filter((v) => v !== undefined);
    expect(stored).toEqual(glossary.districts.map((d) => d.zh));
  });
});
