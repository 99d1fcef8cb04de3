import type { PageContext } from '../http/page-kit.js';
import { esc, pageShell } from '../http/page-shell.js';
import type { Lang } from '../messaging/lang.js';
import { LEDGER_CATEGORIES } from './ledger.queries.js';
import { NONE, type MonthlyReport } from './ledger.report.js';

export interface LedgerViewsDeps {
  /** locales/<lang>/ledger.json, flat. */
  strings: (lang: Lang) => Record<string, string>;
  /** The glossary's districts: the Chinese name (the stored value) and the Tibetan. */
  districts: readonly { zh: string; bo: string }[];
  /** The versioned URL of the page's stylesheet. */
  css: string;
}

/** The page's own rules, after admin.css (the bar, tables, facts). */
export const LEDGER_CSS = `/* The ledger's monthly report (/admin/reports/monthly). */
table.cases td.num,
table.cases th.num {
  text-align: right;
  font-variant-numeric: tabular-nums;
}
figure.chart {
  margin: 1rem 0;
}
figure.chart svg {
  width: 100%;
  height: auto;
  font-size: 13px;
}
.filters {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.5rem 1rem;
}
.filters label,
.filters button,
.filters input {
  margin: 0;
  width: auto;
  display: inline-block;
}
`;

const METRICS = ['served', 'new', 'placed'] as const;
/** One colour per metric (brand red, ochre, green): told apart by the legend and the tables. */
const COLOURS = { served: '#8a1c1c', new: '#c9822b', placed: '#2f6e3b' } as const;

/**
 * The monthly report's HTML, one language at a time: its numbers as tables and facts, and the
 * districts as a bar chart in SVG, drawn here (presentation attributes only: the CSP allows no
 * inline style, and the page needs no script).
 */
export function ledgerViews(deps: LedgerViewsDeps) {
  const boName = new Map(deps.districts.map((d) => [d.zh, d.bo]));
  const text = (lang: Lang, key: string, params?: Record<string, string | number>) => {
    const s = deps.strings(lang)[key] ?? key;
    return params
      ? s.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) =>
          Object.hasOwn(params, k) ? String(params[k]) : m,
        )
      : s;
  };
  const districtName = (lang: Lang, zh: string) =>
    zh === NONE ? text(lang, 'none') : lang === 'bo' ? (boName.get(zh) ?? zh) : zh;
  const categoryName = (lang: Lang, slug: string) =>
    slug === NONE
      ? text(lang, 'none')
      : (LEDGER_CATEGORIES as readonly string[]).includes(slug)
        ? text(lang, `category.${slug}`)
        : slug;

  function page(ctx: PageContext, title: string, body: string): string {
    return pageShell({
      ctx,
      title,
      site: text(ctx.lang, 'site'),
      nav: [
        { href: '/admin', label: text(ctx.lang, 'home') },
        { href: `/admin/reports/monthly?lang=${ctx.lang}`, label: text(ctx.lang, 'monthly.title') },
      ],
      langName: (lang) => text(lang, 'langName'),
      assets: { css: deps.css, js: '' },
      body,
    });
  }

  /** The glossary's districts first (in its order), then any other value, then "not given". */
  function rows(r: MonthlyReport, kind: 'district' | 'category', lang: Lang) {
    const entries = Object.entries(kind === 'district' ? r.byDistrict : r.byCategory);
    const name = kind === 'district' ? districtName : categoryName;
    const shown = entries.filter(
      ([k, b]) =>
        (k !== NONE &&
          (kind === 'district'
            ? boName.has(k)
            : (LEDGER_CATEGORIES as readonly string[]).includes(k))) ||
        b.served + b.new + b.placed > 0,
    );
    const none = shown.filter(([k]) => k === NONE);
    return [...shown.filter(([k]) => k !== NONE), ...none].map(([k, b]) => ({
      key: k,
      label: name(lang, k),
      bucket: b,
    }));
  }

  function table(lang: Lang, id: string, head: string, list: ReturnType<typeof rows>): string {
    const t = (key: string) => esc(text(lang, key));
    const body = list
      .map(
        (row) =>
          `<tr data-key="${esc(row.key)}"><td>${esc(row.label)}</td>${METRICS.map((m) => `<td class="num">${row.bucket[m]}</td>`).join('')}</tr>`,
      )
      .join('\n');
    return `<table class="cases" id="${id}">
<thead><tr><th>${t(head)}</th>${METRICS.map((m) => `<th class="num">${t(`monthly.${m}`)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
  }

  function facts(lang: Lang, id: string, pairs: [string, string | number][]): string {
    const items = pairs
      .map(
        ([key, v]) =>
          `<dt>${esc(text(lang, key))}</dt><dd data-key="${esc(key)}">${esc(String(v))}</dd>`,
      )
      .join('\n');
    return `<dl class="facts" id="${id}">\n${items}\n</dl>`;
  }

  return {
    monthly(ctx: PageContext, r: MonthlyReport): string {
      const { lang } = ctx;
      const t = (key: string) => esc(text(lang, key));
      const districts = rows(r, 'district', lang);
      const average = r.satisfaction.average === null ? '—' : r.satisfaction.average.toFixed(2);
      const body = `<h1>${t('monthly.title')} · ${esc(r.month)}</h1>
<form id="month-form" class="filters" method="get" action="/admin/reports/monthly">
<input type="hidden" name="lang" value="${lang}">
<label for="m-month">${t('monthly.month')}</label>
<input id="m-month" name="month" type="month" value="${esc(r.month)}" required>
<button type="submit">${t('monthly.show')}</button>
</form>
<p class="muted">${t('monthly.hint')}</p>
${facts(lang, 'totals', [
  ['monthly.served', r.served],
  ['monthly.new', r.new],
  ['monthly.placed', r.placed],
])}
<h2>${t('monthly.byDistrict')}</h2>
<figure class="chart">
${barChart(
  text(lang, 'monthly.chart', { month: r.month }),
  METRICS.map((m) => ({ label: text(lang, `monthly.${m}`), colour: COLOURS[m] })),
  districts.map((d) => ({ label: d.label, values: METRICS.map((m) => d.bucket[m]) })),
)}
</figure>
${table(lang, 'by-district', 'monthly.district', districts)}
<h2>${t('monthly.byCategory')}</h2>
${table(lang, 'by-category', 'monthly.category', rows(r, 'category', lang))}
<h2>${t('monthly.satisfaction')}</h2>
${facts(lang, 'satisfaction', [
  ['monthly.rated', r.satisfaction.rated],
  ['monthly.average', average],
])}
<h2>${t('monthly.complaints')}</h2>
${facts(lang, 'complaints', [
  ['monthly.filed', r.complaints.filed],
  ['monthly.resolved', r.complaints.resolved],
  ['monthly.overdue', r.complaints.overdue],
])}`;
      return page(ctx, `${text(lang, 'monthly.title')} ${r.month}`, body);
    },

    forbidden(ctx: PageContext): string {
      const message = text(ctx.lang, 'forbidden');
      return page(ctx, message, `<p class="error" role="alert">${esc(message)}</p>`);
    },
  };
}

/**
 * Horizontal grouped bars: one group per row (its label on the left), one bar per series with
 * its number after it, a legend on top. Every text is escaped; sizes are in the viewBox's units.
 */
export function barChart(
  title: string,
  series: { label: string; colour: string }[],
  rows: { label: string; values: number[] }[],
): string {
  const W = 760;
  const LABEL_W = 210;
  const BAR = 12;
  const GAP = 3;
  const GROUP = series.length * (BAR + GAP) + 14;
  const TOP = 36;
  const H = TOP + rows.length * GROUP + 8;
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const span = W - LABEL_W - 60;
  const legend = series
    .map((s, i) => {
      const x = LABEL_W + i * 150;
      return `<rect x="${x}" y="8" width="14" height="14" fill="${s.colour}"/><text x="${x + 20}" y="20">${esc(s.label)}</text>`;
    })
    .join('');
  const groups = rows
    .map((r, i) => {
      const y = TOP + i * GROUP;
      const bars = r.values
        .map((v, k) => {
          const w = Math.round((v / max) * span);
          const by = y + k * (BAR + GAP);
          const colour = series[k]?.colour ?? '#5f5a52';
          return `<rect x="${LABEL_W}" y="${by}" width="${w}" height="${BAR}" fill="${colour}"/><text x="${LABEL_W + w + 4}" y="${by + BAR - 2}" font-size="11">${v}</text>`;
        })
        .join('');
      const mid = y + (series.length * (BAR + GAP)) / 2 + 4;
      return `<g><text x="${LABEL_W - 8}" y="${mid}" text-anchor="end">${esc(r.label)}</text>${bars}</g>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" id="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
<title id="chart-title">${esc(title)}</title>
<g fill="#1f1f1f">${legend}</g>
${groups}
</svg>`;
}
