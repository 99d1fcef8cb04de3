import { detectScript } from '../lib/script.js';
import { LHASA_OFFSET_MS } from '../lib/lhasa-time.js';
import type { Lang } from '../messaging/lang.js';
import type { PageContext } from './page-kit.js';

/** The admin namespace of the locales, flat (`key.path` → text), in a language. */
export type AdminStrings = (lang: Lang) => Record<string, string>;

/**
 * The HTML the pages behind the admin login share (campaigns, the counsellor console): the
 * shell of a page (head, the bar with its links and the language switch, the page's data for its
 * script, main) and the helpers their views write with.
 */

/** A link of the bar: plain text, escaped here. */
export interface NavLink {
  href: string;
  label: string;
}

export interface ShellPage {
  ctx: PageContext;
  /** The page's title (text), before the site's name. */
  title: string;
  /** The site's name (text). */
  site: string;
  /** The bar's links, in order. */
  nav: readonly NavLink[];
  /** A language's name in itself (text), for the switch to the other language. */
  langName: (lang: Lang) => string;
  /** Versioned URLs of the page family's stylesheet and script. */
  assets: { css: string; js: string };
  /** The page's content (HTML). */
  body: string;
  /**
   * What the page's script gets, as `<script type="application/json" id="page-data">` (its data,
   * its strings and the page's `lang`); a page without loads no script at all.
   */
  script?: { data: Record<string, unknown>; strings: Record<string, string> } | undefined;
}

/** One page: its title, links and path are escaped here; `body` is HTML. */
export function pageShell(p: ShellPage): string {
  const { ctx } = p;
  const other: Lang = ctx.lang === 'bo' ? 'zh-CN' : 'bo';
  const script = p.script ? `<script src="${p.assets.js}" defer></script>` : '';
  const json = p.script
    ? `\n<script type="application/json" id="page-data">${scriptJson({
        ...p.script.data,
        lang: ctx.lang,
        strings: p.script.strings,
      })}</script>`
    : '';
  const nav = p.nav.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join(' ');
  const head = htmlHead(
    ctx.lang,
    `${esc(p.title)} · ${esc(p.site)}`,
    `<link rel="stylesheet" href="${p.assets.css}">\n${script}`,
  );
  return `${head}
<body>
<header class="bar">
<nav>${nav}</nav>
<a class="lang-switch" href="${esc(ctx.path)}?lang=${other}" lang="${other}" hreflang="${other}">${esc(p.langName(other))}</a>
</header>
<main>
${p.body}
</main>${json}
</body>
</html>
`;
}

/**
 * From `<!doctype html>` to `</head>`, as every page behind the admin login has it (these and
 * the login's): `title` and `loads` (its stylesheet and script) are HTML.
 */
export function htmlHead(lang: Lang, title: string, loads: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="same-origin">
<title>${title}</title>
<link rel="icon" href="data:,">
${loads}
</head>`;
}

/**
 * A page family's strings (locales/<lang>/admin.json, flat), by their key without the family's
 * prefix (`console.`, `campaigns.`): `text` with its {{placeholders}} filled (not escaped),
 * `script` all of them for the page's script.
 */
export function pageStrings(strings: AdminStrings, prefix: string) {
  const dotted = `${prefix}.`;
  return {
    text: (lang: Lang, key: string, params?: Record<string, string | number>) =>
      fill(strings(lang)[`${dotted}${key}`] ?? key, params),
    script: (lang: Lang): Record<string, string> =>
      Object.fromEntries(
        Object.entries(strings(lang))
          .filter(([k]) => k.startsWith(dotted))
          .map(([k, v]) => [k.slice(dotted.length), v]),
      ),
    /** The site's name (the unprefixed `title`). */
    site: (lang: Lang) => strings(lang).title ?? '',
  };
}

/** Text as HTML: in an element or a quoted attribute. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A `lang` attribute for text in either language, by its script (none when it has neither). */
export function langAttr(text: string): string {
  const lang = detectScript(text);
  return lang ? ` lang="${lang}"` : '';
}

/** An ISO instant as Lhasa's wall-clock time (UTC+8, no daylight saving): `YYYY-MM-DD HH:mm`. */
export function lhasaTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return new Date(ms + LHASA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

function fill(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) =>
    Object.hasOwn(params, k) ? String(params[k]) : m,
  );
}

/** JSON inside a `<script type="application/json">`: nothing in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
