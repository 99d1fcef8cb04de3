import { readFileSync } from 'node:fs';
import type { Lang } from '../../messaging/lang.js';

/**
 * Reads locales/<lang>/web.json once, for when the app does not already hold them in i18next
 * (there, `(lang) => i18n.getResourceBundle(lang, 'web')` does the same).
 */
export function webUiStringsFromLocales(
  root = new URL('../../../locales/', import.meta.url),
): (lang: Lang) => Record<string, string> {
  const byLang: Record<Lang, Record<string, string>> = {
    'zh-CN': readStrings(new URL('zh-CN/web.json', root)),
    bo: readStrings(new URL('bo/web.json', root)),
  };
  return (lang) => byLang[lang];
}

function readStrings(file: URL): Record<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error(`${file.pathname}: not an object`);
  return Object.fromEntries(
    Object.entries(parsed).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
