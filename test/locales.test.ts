/**
 * Quality gates for the two languages (see the project's Tibetan reference):
 * every key in zh-CN and bo, no Chinese or empty bo strings, every flow key resolves, placeholders
 * and numbers agree, every Tibetan syllable passes hunspell-bo, and the glossary's keywords are
 * well-formed. Reads the JSON files directly, independent of src/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOCALES = join(ROOT, 'locales');
const FLOWS = join(ROOT, 'flows');
const LANGS = ['zh-CN', 'bo'] as const;
type Lang = (typeof LANGS)[number];

const HAN = /\p{Script=Han}/u;
const TIBETAN_LETTER = /[\u0F40-\u0FBC]/u;
/**
 * Characters that belong inside a Tibetan syllable: letters, vowel signs and marks, subjoined
 * letters (and the rare marks U+0F35/0F37/0F39). Everything else — tsheg, shad, spaces, digits,
 * Latin, quotes — separates syllables.
 */
const SYLLABLE = /[\u0F35\u0F37\u0F39\u0F40-\u0F84\u0F86-\u0FBC]+/gu;
/** Known-bad syllables: the checker must report these, or it is not checking anything. */
const CANARIES = ['ཀྐྐ', 'ལསཀ'];
/** Strings with no Tibetan letter that are still fine in bo (none so far). */
const BO_WITHOUT_TIBETAN = new Set<string>([]);
const COMMANDS = [
  'recommend',
  'subscriptions',
  'menu',
  'human',
  'complaint',
  'language',
  'stop',
  'resume',
  'help',
  'subscribe',
  'unsubscribe',
  'mydata',
  'delete',
  'link',
  // Small talk: greetings come back to the menu, thanks and goodbyes get a reply, "who are
  // you" the introduction, "I found a job" the employment record.
  'greeting',
  'thanks',
  'farewell',
  'whoami',
  'found',
  // "帮帮我": asked warmly what is wrong.
  'helpme',
];

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function namespaces(lang: Lang): string[] {
  return readdirSync(join(LOCALES, lang))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** `{ "a": { "b": "x" } }` → `{ "a.b": "x" }`; a leaf that is not a string is reported as such. */
function flatten(tree: unknown, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!tree || typeof tree !== 'object' || Array.isArray(tree)) {
    out[prefix || '(root)'] = tree;
    return out;
  }
  for (const [k, v] of Object.entries(tree as Record<string, unknown>)) {
    if (v && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[prefix + k] = v;
  }
  return out;
}

/** `lang` → `ns:key.path` → text, for every namespace of both languages. */
const strings: Record<Lang, Map<string, unknown>> = { 'zh-CN': new Map(), bo: new Map() };
for (const lang of LANGS) {
  for (const ns of namespaces(lang)) {
    const flat = flatten(readJson(join(LOCALES, lang, `${ns}.json`)));
    for (const [key, value] of Object.entries(flat)) strings[lang].set(`${ns}:${key}`, value);
  }
}

function text(lang: Lang, key: string): string {
  const v = strings[lang].get(key);
  if (typeof v !== 'string') throw new Error(`${lang} ${key} is not a string`);
  return v;
}

interface Glossary {
  $comment: string;
  keywords: Record<string, Record<Lang, string[]>>;
  /** Optional: names that switch straight to a language (中文, བོད་ཡིག …). */
  languageNames?: Record<Lang, string[]>;
  terms: { zh: string; bo: string; status: string; note?: string }[];
  districts: { zh: string; bo: string }[];
}
const glossary = readJson(join(LOCALES, 'glossary.json')) as Glossary;

/** Same folding as the bot applies to a keyword: NFC, lower case, no trailing tsheg/shad/punctuation. */
function keywordForm(s: string): string {
  return s
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[\s\u0F0B\u0F0D\u0F0E\u0F14。！!？?，,.]+$/u, '');
}

describe('locale files', () => {
  it('have the same namespaces in zh-CN and bo', () => {
    expect(namespaces('bo')).toEqual(namespaces('zh-CN'));
  });

  it('have every key in both languages, and only string leaves', () => {
    const zh = [...strings['zh-CN'].keys()];
    const bo = [...strings.bo.keys()];
    expect(
      zh.filter((k) => !strings.bo.has(k)),
      'missing in bo',
    ).toEqual([]);
    expect(
      bo.filter((k) => !strings['zh-CN'].has(k)),
      'missing in zh-CN',
    ).toEqual([]);
    for (const lang of LANGS) {
      const bad = [...strings[lang]].filter(([, v]) => typeof v !== 'string').map(([k]) => k);
      expect(bad, `${lang}: values that are not strings`).toEqual([]);
    }
  });

  it('have no empty strings', () => {
    for (const lang of LANGS) {
      const empty = [...strings[lang]].filter(([, v]) => typeof v === 'string' && v.trim() === '');
      expect(
        empty.map(([k]) => k),
        `${lang}: empty strings`,
      ).toEqual([]);
    }
  });

  it('have no Chinese characters in bo, and Tibetan letters in every bo string', () => {
    const withHan = [...strings.bo].filter(([, v]) => HAN.test(String(v))).map(([k]) => k);
    expect(withHan, 'bo strings containing Han characters').toEqual([]);
    const noTibetan = [...strings.bo]
      .filter(([k, v]) => !TIBETAN_LETTER.test(String(v)) && !BO_WITHOUT_TIBETAN.has(k))
      .map(([k]) => k);
    expect(noTibetan, 'bo strings without Tibetan letters').toEqual([]);
  });

  it('store bo text in NFC (what the bot compares input against)', () => {
    const notNfc = [...strings.bo].filter(([, v]) => String(v) !== String(v).normalize('NFC'));
    expect(notNfc.map(([k]) => k)).toEqual([]);
  });

  it('use the same {{placeholders}} in both languages', () => {
    const placeholders = (s: string): string[] =>
      [...s.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1] ?? '').sort();
    const mismatched = [...strings['zh-CN'].keys()]
      .filter((k) => strings.bo.has(k))
      .filter((k) => placeholders(text('zh-CN', k)).join() !== placeholders(text('bo', k)).join());
    expect(mismatched).toEqual([]);
  });

  it('keep phone numbers and other numbers of 3+ digits in bo', () => {
    const missing: string[] = [];
    for (const key of strings['zh-CN'].keys()) {
      if (!strings.bo.has(key)) continue;
      for (const n of text('zh-CN', key).match(/\d{3,}/g) ?? []) {
        if (!text('bo', key).includes(n)) missing.push(`${key}: ${n}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('name the bot “ལམ་སྟོན་” where the zh-CN text names it 「指路」', () => {
    const named = [...strings['zh-CN'].keys()].filter((k) => text('zh-CN', k).includes('「指路」'));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((k) => !text('bo', k).includes('“ལམ་སྟོན་”'))).toEqual([]);
  });

  it('quote only glossary keywords in the texts that teach them', () => {
    const teaching = [
      'main:help',
      'main:notUnderstood',
      'main:outreach.stopped',
      'main:outreach.resumed',
      'language:chosen',
    ];
    for (const lang of LANGS) {
      const known = new Set(
        Object.values(glossary.keywords).flatMap((k) => k[lang].map(keywordForm)),
      );
      const quoted = teaching.flatMap((key) =>
        [...text(lang, key).matchAll(/“([^”]+)”/g)].map((m) => ({ key, word: m[1] ?? '' })),
      );
      expect(quoted.length, lang).toBeGreaterThan(0);
      expect(
        quoted.filter((q) => !known.has(keywordForm(q.word))),
        `${lang}: quoted words that are not glossary keywords`,
      ).toEqual([]);
    }
  });
});

describe('flows', () => {
  /** Every i18n key a flow uses: `say` items (string or {key}) and choice `label`s, at any depth. */
  function flowKeys(): { flow: string; key: string }[] {
    const found: { flow: string; key: string }[] = [];
    const walk = (flow: string, node: unknown): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(flow, n));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
        if (k === 'say' && Array.isArray(v)) {
          for (const item of v) {
            if (typeof item === 'string') found.push({ flow, key: item });
            else if (item && typeof item === 'object' && 'key' in item)
              found.push({ flow, key: String((item as { key: unknown }).key) });
            else found.push({ flow, key: JSON.stringify(item) });
          }
        } else if (k === 'label' && typeof v === 'string') {
          found.push({ flow, key: v });
        } else {
          walk(flow, v);
        }
      }
    };
    for (const file of readdirSync(FLOWS).filter((f) => f.endsWith('.json'))) {
      walk(file, readJson(join(FLOWS, file)));
    }
    return found;
  }

  it('use only keys that resolve to text in both languages', () => {
    const keys = flowKeys();
    expect(keys.length).toBeGreaterThan(0);
    const bad = keys
      .filter(
        ({ key }) =>
          !/^[a-z][a-zA-Z0-9-]*:[a-zA-Z0-9_.-]+$/.test(key) ||
          LANGS.some((l) => {
            const v = strings[l].get(key);
            return typeof v !== 'string' || v.trim() === '';
          }),
      )
      .map(({ flow, key }) => `${flow}: ${key}`);
    expect(bad).toEqual([]);
  });
});

describe('glossary', () => {
  it('has a keyword list in both languages for every command', () => {
    expect(Object.keys(glossary.keywords).sort()).toEqual([...COMMANDS].sort());
    for (const [command, byLang] of Object.entries(glossary.keywords)) {
      for (const lang of LANGS) {
        const list = byLang[lang];
        expect(Array.isArray(list) && list.length > 0, `${command} ${lang}`).toBe(true);
        for (const word of list) expect(word.trim(), `${command} ${lang}`).not.toBe('');
      }
    }
  });

  it('has Tibetan bo keywords: no Han, Tibetan letters, NFC, no final tsheg or shad', () => {
    for (const [command, byLang] of Object.entries(glossary.keywords)) {
      for (const word of byLang.bo) {
        expect(HAN.test(word), `${command}: ${word}`).toBe(false);
        expect(TIBETAN_LETTER.test(word), `${command}: ${word}`).toBe(true);
        expect(word, `${command}: ${word}`).toBe(word.normalize('NFC'));
        expect(word, `${command}: ${word}`).toBe(keywordForm(word));
      }
    }
  });

  it('never puts one keyword under two commands in the same language', () => {
    for (const lang of LANGS) {
      const owner = new Map<string, string>();
      const clashes: string[] = [];
      for (const [command, byLang] of Object.entries(glossary.keywords)) {
        for (const word of new Set(byLang[lang].map(keywordForm))) {
          const other = owner.get(word);
          if (other && other !== command)
            clashes.push(`${lang} "${word}": ${other} and ${command}`);
          owner.set(word, command);
        }
      }
      expect(clashes).toEqual([]);
    }
  });

  it('has language names that point to one language each', () => {
    const names = glossary.languageNames ?? { 'zh-CN': [], bo: [] };
    const owner = new Map<string, Lang>();
    const clashes: string[] = [];
    for (const lang of LANGS) {
      for (const n of names[lang]) {
        expect(n, `${lang}: ${n}`).toBe(keywordForm(n));
        const other = owner.get(keywordForm(n));
        if (other && other !== lang) clashes.push(`${n}: ${other} and ${lang}`);
        owner.set(keywordForm(n), lang);
      }
    }
    expect(clashes).toEqual([]);
    // The endonym each language shows on the language choice switches to it when typed.
    if (glossary.languageNames) {
      for (const lang of LANGS)
        expect(names[lang].map(keywordForm)).toContain(keywordForm(text(lang, 'language:name')));
    }
  });

  it('has terms with a status and Lhasa’s eight districts and counties, all in Tibetan script', () => {
    expect(glossary.terms.length).toBeGreaterThan(0);
    for (const t of glossary.terms) {
      expect(['attested', 'candidate'], t.zh).toContain(t.status);
      expect(HAN.test(t.bo), t.zh).toBe(false);
      expect(TIBETAN_LETTER.test(t.bo), t.zh).toBe(true);
    }
    expect(glossary.districts).toHaveLength(8);
    for (const d of glossary.districts) {
      expect(HAN.test(d.bo), d.zh).toBe(false);
      expect(TIBETAN_LETTER.test(d.bo), d.zh).toBe(true);
    }
  });
});

describe('Tibetan names put into Tibetan text', () => {
  // A district's name ends its own syllable: "({{district}}ཁོ་ན)" showed ཁྲིན་ཀོན་ཆུསཁོ་ན.
  it('puts a tsheg (or a space, a mark) after a name or value before the next syllable', () => {
    for (const [key, value] of strings.bo) {
      if (typeof value !== 'string') continue;
      for (const m of value.matchAll(/\{\{(district|value|name)\}\}(.)/gu))
        expect(TIBETAN_LETTER.test(m[2]!), `${key}: ${value}`).toBe(false);
    }
  });
});

describe('Tibetan spelling (hunspell-bo)', () => {
  const ALLOW_FILE = join(ROOT, 'test', 'hunspell-allow.txt');

  /** `word  # why` lines; every entry must say why it is fine. */
  function allowList(): Map<string, string> {
    const allowed = new Map<string, string>();
    for (const line of readFileSync(ALLOW_FILE, 'utf8').split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const [word = '', ...why] = trimmed.split('#');
      allowed.set(word.trim().normalize('NFC'), why.join('#').trim());
    }
    return allowed;
  }

  /**
   * Tibetan syllables of every bo string and every Tibetan field of the glossary. hunspell-bo is a
   * syllable-structure dictionary: it checks one syllable at a time (it splits at the tsheg itself),
   * and it rejects any non-Tibetan token (e.g. the "C" of "C1"), so we hand it syllables only.
   */
  function syllables(): Map<string, string> {
    const where = new Map<string, string>();
    const add = (origin: string, s: string): void => {
      for (const syl of s.normalize('NFC').match(SYLLABLE) ?? [])
        if (!where.has(syl)) where.set(syl, origin);
    };
    for (const [key, v] of strings.bo) add(`bo ${key}`, String(v));
    for (const [command, byLang] of Object.entries(glossary.keywords)) {
      byLang.bo.forEach((w) => add(`glossary keyword ${command}`, w));
    }
    for (const lang of LANGS) {
      (glossary.languageNames?.[lang] ?? []).forEach((n) =>
        add(`glossary languageNames ${lang}`, n),
      );
    }
    glossary.terms.forEach((t) => add(`glossary term ${t.zh}`, t.bo));
    glossary.districts.forEach((d) => add(`glossary district ${d.zh}`, d.bo));
    return where;
  }

  /**
   * One hunspell run over the given words (one per line). `-i utf-8` is what makes it work: the
   * environment is forced to the C locale, where hunspell without `-i` silently accepts everything.
   */
  function hunspellRejects(words: string[]): Set<string> {
    const run = spawnSync('hunspell', ['-i', 'utf-8', '-d', 'bo', '-l'], {
      input: words.join('\n') + '\n',
      encoding: 'utf8',
      env: { ...process.env, LANG: 'C', LC_ALL: 'C', LC_CTYPE: 'C' },
    });
    if (run.error) {
      throw new Error(
        `hunspell could not run (install the Debian packages hunspell and hunspell-bo): ${run.error.message}`,
      );
    }
    expect(run.status, run.stderr).toBe(0);
    return new Set(
      run.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }

  it('is installed with the bo dictionary', () => {
    expect(
      existsSync('/usr/share/hunspell/bo.dic') || existsSync('/usr/share/myspell/bo.dic'),
    ).toBe(true);
  });

  it('accepts every syllable of the bo texts and the glossary (and can fail)', () => {
    const where = syllables();
    expect(where.size).toBeGreaterThan(100);
    const rejected = hunspellRejects([...CANARIES, ...where.keys()]);

    // The same run must report the known-bad syllables, or the check proves nothing.
    for (const canary of CANARIES) expect(rejected, `canary ${canary}`).toContain(canary);

    const allowed = allowList();
    const bad = [...rejected]
      .filter((w) => !CANARIES.includes(w) && !allowed.has(w))
      .map((w) => `${w}  (${where.get(w) ?? 'unknown origin'})`);
    expect(
      bad,
      'syllables hunspell-bo rejects: fix the spelling or, if right, add to test/hunspell-allow.txt',
    ).toEqual([]);

    // Keep the allow-list short: every entry is justified and still needed.
    for (const [word, why] of allowed) {
      expect(why, `${word}: say why it is fine`).not.toBe('');
      expect(
        where.has(word) && rejected.has(word),
        `${word}: no longer needed in the allow-list`,
      ).toBe(true);
    }
  });
});
