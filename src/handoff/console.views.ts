import type { PageContext } from '../http/page-kit.js';
import { esc, pageShell, pageStrings } from '../http/page-shell.js';
import type { AdminStrings } from '../accounts/admin-pages.js';
import type { Role } from '../accounts/role.js';
import type { Lang } from '../messaging/lang.js';
import {
  caseBody,
  flagsHtml,
  isDistress,
  waitedText,
  type CaseDetail,
  type CaseItem,
  type Text,
} from './console.views.case.js';

/** Who is looking and in which language (the page kit's context). */
export type ConsoleContext = PageContext;

/** The list's filter: the case language (all when null) and the counsellor's own cases only. */
export interface QueueFilter {
  language: Lang | null;
  mine: boolean;
}

export interface SatisfactionRow {
  counsellorId: string | null;
  counsellorName: string | null;
  closed: number;
  rated: number;
  average: number | null;
}

export interface ConsoleViewsDeps {
  /** locales/<lang>/admin.json, flat (the `console.*` keys). */
  strings: AdminStrings;
  /** Versioned URLs of the pages' stylesheet and script. */
  assets: { css: string; js: string };
}

/** Roles that see the satisfaction reports. */
export const REPORT_ROLES: readonly Role[] = ['admin', 'supervisor'];

/**
 * The counsellor console's HTML, in one language at a time (`?lang=`): the open cases, one case
 * and the satisfaction report. Everything a person wrote is escaped here; the script writes
 * with textContent only.
 */
export function consoleViews(deps: ConsoleViewsDeps) {
  const strings = pageStrings(deps.strings, 'console');
  const textOf =
    (lang: Lang): Text =>
    (key, params) =>
      strings.text(lang, key, params);
  const href = (ctx: ConsoleContext, path: string) => `${path}?lang=${ctx.lang}`;

  function page(
    ctx: ConsoleContext,
    title: string,
    body: string,
    data?: Record<string, unknown>,
  ): string {
    const text = textOf(ctx.lang);
    const reports = REPORT_ROLES.includes(ctx.role)
      ? [{ href: href(ctx, '/counsellor/reports'), label: text('reports.title') }]
      : [];
    return pageShell({
      ctx,
      title,
      site: strings.site(ctx.lang),
      nav: [
        { href: '/admin', label: text('home') },
        { href: href(ctx, '/counsellor'), label: text('queue.title') },
        ...reports,
      ],
      langName: (lang) => strings.text(lang, 'langName'),
      assets: deps.assets,
      body,
      script: data && { data, strings: strings.script(ctx.lang) },
    });
  }

  /** One row of the open cases (the script builds the same from the API). */
  function row(ctx: ConsoleContext, c: CaseItem): string {
    const text = textOf(ctx.lang);
    const t = (key: string) => esc(text(key));
    return `<tr data-case-id="${esc(c.id)}"${isDistress(c) ? ' class="distress"' : ''}>
<td class="waiting">${esc(waitedText(text, c.waitingMinutes))}</td>
<td>${t(`lang.${c.language}`)}</td>
<td>${t(`channel.${c.channel}`)}</td>
<td>${t(`reason.${c.reason}`)}</td>
<td>${esc(c.counsellor?.name ?? text('unassigned'))}</td>
<td class="flags">${flagsHtml(text, c)}</td>
<td><a class="open" href="${href(ctx, `/counsellor/cases/${esc(c.id)}`)}">${t('field.open')}</a></td>
</tr>`;
  }

  return {
    queue(ctx: ConsoleContext, items: CaseItem[], filter: QueueFilter): string {
      const t = (key: string) => esc(textOf(ctx.lang)(key));
      const option = (value: string, label: string, lang?: Lang) =>
        `<option value="${value}"${lang ? ` lang="${lang}"` : ''}${(filter.language ?? '') === value ? ' selected' : ''}>${esc(label)}</option>`;
      const body = `<h1>${t('queue.title')}</h1>
<p class="muted">${t('queue.hint')}</p>
<form id="filter" class="filters" method="get" action="/counsellor">
<input type="hidden" name="lang" value="${ctx.lang}">
<label for="f-language">${t('filter.language')}</label>
<select id="f-language" name="language">
${option('', textOf(ctx.lang)('filter.all'))}
${option('zh-CN', '中文', 'zh-CN')}
${option('bo', 'བོད་ཡིག', 'bo')}
</select>
<label class="check"><input type="checkbox" id="f-mine" name="mine" value="1"${filter.mine ? ' checked' : ''}> ${t('filter.mine')}</label>
<button type="submit" id="f-apply">${t('filter.apply')}</button>
</form>
<p id="refresh-error" class="error" role="status" hidden>${t('refreshFailed')}</p>
<table class="cases" id="cases"${items.length ? '' : ' hidden'}>
<thead><tr><th>${t('field.waiting')}</th><th>${t('field.language')}</th><th>${t('field.channel')}</th><th>${t('field.reason')}</th><th>${t('field.counsellor')}</th><th>${t('field.flags')}</th><th></th></tr></thead>
<tbody id="case-rows">
${items.map((c) => row(ctx, c)).join('\n')}
</tbody>
</table>
<p class="muted" id="cases-empty"${items.length ? ' hidden' : ''}>${t('queue.empty')}</p>`;
      return page(ctx, textOf(ctx.lang)('queue.title'), body, {
        page: 'queue',
        items,
        filter,
      });
    },

    case(ctx: ConsoleContext, c: CaseDetail): string {
      const text = textOf(ctx.lang);
      return page(ctx, text(`reason.${c.reason}`), caseBody(text, ctx.lang, c), {
        page: 'case',
        case: c,
      });
    },

    reports(
      ctx: ConsoleContext,
      month: string,
      rows: SatisfactionRow[],
      overdue: OverdueComplaint[] = [],
    ): string {
      const text = textOf(ctx.lang);
      const t = (key: string) => esc(text(key));
      const cells = rows
        .map(
          (r) => `<tr>
<td>${esc(r.counsellorName ?? text('unassigned'))}</td>
<td class="num">${r.closed}</td>
<td class="num">${r.rated}</td>
<td class="num">${r.average === null ? '—' : r.average.toFixed(2)}</td>
</tr>`,
        )
        .join('\n');
      const table = rows.length
        ? `<table class="cases" id="report">
<thead><tr><th>${t('field.counsellor')}</th><th>${t('reports.closed')}</th><th>${t('reports.rated')}</th><th>${t('reports.average')}</th></tr></thead>
<tbody>
${cells}
</tbody>
</table>`
        : `<p class="muted" id="report-empty">${t('reports.empty')}</p>`;
      const body = `<h1>${t('reports.title')}</h1>
<form id="month-form" class="filters" method="get" action="/counsellor/reports">
<input type="hidden" name="lang" value="${ctx.lang}">
<label for="m-month">${t('reports.month')}</label>
<input id="m-month" name="month" type="month" value="${esc(month)}" required>
<button type="submit">${t('reports.show')}</button>
</form>
<p class="muted">${t('reports.hint')}</p>
${table}
<h2>${t('complaints.title')}</h2>
${complaintsTable(text, overdue)}`;
      return page(ctx, text('reports.title'), body);
    },

    /** A refusal or a missing case, as a page of its own. */
    problem(ctx: ConsoleContext, kind: 'forbidden' | 'notFound'): string {
      const message = textOf(ctx.lang)(kind);
      return page(ctx, message, `<p class="error" role="alert">${esc(message)}</p>`);
    },
  };
}

export type ConsoleViews = ReturnType<typeof consoleViews>;

/** An open complaint past its deadline, as the supervisors' list shows it. */
export interface OverdueComplaint {
  ticketId: string;
  language: string;
  channel: string;
  text: string;
  createdAt: string;
  dueAt: string;
}

/** Open complaints past their deadline, oldest deadline first (standard 8.2). */
function complaintsTable(text: (key: string) => string, rows: OverdueComplaint[]): string {
  const t = (key: string) => esc(text(key));
  if (rows.length === 0)
    return `<p class="muted" id="complaints-empty">${t('complaints.none')}</p>`;
  const cells = rows
    .map(
      (c) => `<tr>
<td>${esc(c.ticketId)}</td>
<td>${esc(c.dueAt.slice(0, 10))}</td>
<td lang="${c.language === 'bo' ? 'bo' : 'zh-CN'}">${esc(c.text)}</td>
<td>${esc(c.channel)}</td>
</tr>`,
    )
    .join('\n');
  return `<table class="cases" id="complaints">
<thead><tr><th>${t('complaints.ticket')}</th><th>${t('complaints.due')}</th><th>${t('complaints.text')}</th><th>${t('field.channel')}</th></tr></thead>
<tbody>
${cells}
</tbody>
</table>`;
}
