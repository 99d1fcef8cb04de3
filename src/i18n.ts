import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n } from 'i18next';
import { LANGS, type Lang } from './messaging/lang.js';

/** Translation for one language; missing keys come back as the key itself (tests forbid them). */
export interface Translator {
  t(lang: Lang, key: string, params?: Record<string, string | number>): string;
  has(lang: Lang, key: string): boolean;
  /** A namespace as a flat `{ key: text }` map (e.g. the web page's own strings). */
  namespace(lang: Lang, ns: string): Record<string, string>;
  instance: i18n;
}

/** Loads `locales/<lang>/<namespace>.json` for zh-CN and bo. */
export function createTranslator(localesDir: string): Translator {
  const resources: Record<string, Record<string, unknown>> = {};
  const namespaces = new Set<string>();
  for (const lang of LANGS) {
    resources[lang] = {};
    for (const file of readdirSync(join(localesDir, lang)).filter((f) => f.endsWith('.json'))) {
      const ns = file.slice(0, -'.json'.length);
      namespaces.add(ns);
      resources[lang][ns] = JSON.parse(
        readFileSync(join(localesDir, lang, file), 'utf8'),
      ) as unknown;
    }
  }
  const instance = i18next.createInstance();
  // With the resources in memory init settles at once; a failure would show as missing keys,
  // which the locale tests catch.
  instance
    .init({
      resources: resources as never,
      lng: 'zh-CN',
      fallbackLng: false,
      ns: [...namespaces],
      defaultNS: 'common',
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
      showSupportNotice: false,
    })
    .catch(() => undefined);
  const memo = new Map<string, string>();
  return {
    instance,
    t: (lang, key, params) => {
      if (params) return instance.t(key, { lng: lang, ...params });
      // Texts without parameters never change at run time: translate each once.
      const memoKey = `${lang}|${key}`;
      let text = memo.get(memoKey);
      if (text === undefined) memo.set(memoKey, (text = instance.t(key, { lng: lang })));
      return text;
    },
    has: (lang, key) => instance.exists(key, { lng: lang }),
    namespace: (lang, ns) =>
      flatten(instance.getResourceBundle(lang, ns) as Record<string, unknown> | undefined),
  };
}

function flatten(obj: Record<string, unknown> | undefined, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (typeof v === 'string') out[prefix + k] = v;
    else if (v && typeof v === 'object')
      Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}
