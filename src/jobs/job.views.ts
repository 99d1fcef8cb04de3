import { DISTRICTS } from '../campaigns/campaign.routes.js';
import type { PageContext } from '../http/page-kit.js';
import { esc, langAttr, lhasaTime, pageShell } from '../http/page-shell.js';
import type { Lang } from '../messaging/lang.js';
import { JOB_STATUSES, LIMITS, type JobStatus } from './job.schema.js';
import type { JobView } from './job.service.js';

/** The form's fields: the CSV file's columns, so a problem names the same field in both. */
export const FORM_FIELDS = [
  'title',
  'title_bo',
  'employer',
  'district',
  'category',
  'description',
  'description_bo',
  'contact',
  'expiresAt',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** What was typed, and the problems of each field (page text), to show the form again. */
export interface FormState {
  values: Partial<Record<FormField, string>>;
  errors: ReadonlyMap<string, string>;
}

export interface JobListPage {
  items: JobView[];
  nextCursor: string | null;
  status: JobStatus | undefined;
  /** `posted` or `closed`: what the last action did. */
  notice?: 'posted' | 'closed' | undefined;
  form?: FormState | undefined;
}

export interface JobViewsDeps {
  /** locales/<lang>/jobs.json, flat. */
  strings: (lang: Lang) => Record<string, string>;
  /** Chinese district name → Tibetan (locales/glossary.json `districts`). */
  districtsBo: ReadonlyMap<string, string>;
  /** The versioned URL of the page's stylesheet. */
  css: string;
}

/** The page's own rules, after admin.css. */
export const JOBS_CSS = `/* The job postings page (/admin/jobs). */
.notice { color: #1d5e2a; }
.field-error { color: var(--error); margin: 0.25rem 0 0; }
.filters a { margin-right: 1rem; }
.filters a[aria-current] { font-weight: bold; text-decoration: none; color: var(--ink); }
table.cases td.num, table.cases th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.cases .sub { display: block; color: var(--muted); font-size: 0.9em; }
form.inline { margin: 0; }
form.inline button { margin: 0; padding: 0.2rem 0.75rem; }
`;

/**
 * The job postings page, one language at a time: the form to post a job (a plain form post,
 * checked by the API's own rules) and the list with each posting's status and how many people
 * it reached. Every posting's text is escaped here; the page runs no script.
 */
export function jobViews(deps: JobViewsDeps) {
  const text = (lang: Lang, key: string, params?: Record<string, string | number>) => {
    const s = deps.strings(lang)[key] ?? key;
    return params
      ? s.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) =>
          Object.hasOwn(params, k) ? String(params[k]) : m,
        )
      : s;
  };
  const district = (lang: Lang, zh: string) =>
    lang === 'bo' ? (deps.districtsBo.get(zh) ?? zh) : zh;
  const href = (lang: Lang, query: Record<string, string | undefined> = {}) => {
    const q = new URLSearchParams({ lang });
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
    return `/admin/jobs?${q.toString()}`;
  };

  function page(ctx: PageContext, title: string, body: string): string {
    return pageShell({
      ctx,
      title,
      site: text(ctx.lang, 'site'),
      nav: [
        { href: '/admin', label: text(ctx.lang, 'home') },
        { href: href(ctx.lang), label: text(ctx.lang, 'title') },
      ],
      langName: (lang) => text(lang, 'langName'),
      assets: { css: deps.css, js: '' },
      body,
    });
  }

  function form(ctx: PageContext, state: FormState | undefined): string {
    const t = (key: string) => esc(text(ctx.lang, key));
    const value = (f: FormField) => esc(state?.values[f] ?? '');
    const problem = (f: FormField) => {
      const message = state?.errors.get(f);
      return message
        ? `<p class="field-error" id="e-${f}" data-error-for="${f}" role="alert">${esc(message)}</p>`
        : '';
    };
    const described = (f: FormField) =>
      state?.errors.has(f) ? ` aria-invalid="true" aria-describedby="e-${f}"` : '';
    const input = (f: FormField, label: string, attrs: string) =>
      `<label for="f-${f}">${t(label)}</label>
<input id="f-${f}" name="${f}" value="${value(f)}" ${attrs}${described(f)}>
${problem(f)}`;
    const area = (f: FormField, label: string, lang: Lang) =>
      `<label for="f-${f}">${t(label)}</label>
<textarea id="f-${f}" name="${f}" lang="${lang}" rows="5" maxlength="${LIMITS.description}"${described(f)}>${value(f)}</textarea>
${problem(f)}`;
    const chosen = state?.values.district ?? '';
    const options = DISTRICTS.map(
      (d) =>
        `<option value="${esc(d)}"${d === chosen ? ' selected' : ''}>${esc(district(ctx.lang, d))}</option>`,
    ).join('\n');
    return `<form id="job-form" method="post" action="${esc(href(ctx.lang))}" novalidate>
${state && state.errors.size > 0 ? `<p id="form-error" class="error" role="alert">${t('error.form')}</p>` : ''}
${input('title', 'field.title', `lang="zh-CN" maxlength="${LIMITS.title}" autocomplete="off"`)}
${input('title_bo', 'field.titleBo', `lang="bo" maxlength="${LIMITS.title}" autocomplete="off"`)}
${input('employer', 'field.employer', `maxlength="${LIMITS.employer}" autocomplete="off"`)}
<label for="f-district">${t('field.district')}</label>
<select id="f-district" name="district"${described('district')}>
<option value="">${t('field.choose')}</option>
${options}
</select>
${problem('district')}
${input('category', 'field.category', `maxlength="${LIMITS.category}" autocomplete="off" spellcheck="false"`)}
${area('description', 'field.description', 'zh-CN')}
${area('description_bo', 'field.descriptionBo', 'bo')}
${input('contact', 'field.contact', `maxlength="${LIMITS.contact}" autocomplete="off"`)}
${input('expiresAt', 'field.expiresAt', 'type="date"')}
<button type="submit" id="submit">${t('form.submit')}</button>
</form>`;
  }

  function row(ctx: PageContext, j: JobView): string {
    const t = (key: string) => esc(text(ctx.lang, key));
    const own = ctx.lang === 'bo' ? j.title.bo : undefined;
    const title = own ?? j.title['zh-CN'];
    const other = own ? `<span class="sub" lang="zh-CN">${esc(j.title['zh-CN'])}</span>` : '';
    const close =
      j.status === 'closed'
        ? ''
        : `<form class="inline" method="post" action="/admin/jobs/${j.id}/close?lang=${ctx.lang}"><button type="submit" class="danger">${t('action.close')}</button></form>`;
    return `<tr data-id="${j.id}">
<td><span${langAttr(title)}>${esc(title)}</span>${other}</td>
<td>${esc(j.employer)}</td>
<td>${esc(district(ctx.lang, j.district))}</td>
<td><span class="status" data-status="${j.status}">${t(`status.${j.status}`)}</span></td>
<td><time datetime="${esc(j.expiresAt)}">${lhasaTime(j.expiresAt)}</time></td>
<td class="num reach">${j.reach.alerted}</td>
<td>${close}</td>
</tr>`;
  }

  return {
    list(ctx: PageContext, p: JobListPage): string {
      const t = (key: string) => esc(text(ctx.lang, key));
      const notice = p.notice ? `<p class="notice" role="status">${t(p.notice)}</p>` : '';
      const filters = [undefined, ...JOB_STATUSES]
        .map((s) => {
          const current = s === p.status ? ' aria-current="page"' : '';
          return `<a href="${esc(href(ctx.lang, { status: s }))}"${current}>${t(s ? `status.${s}` : 'list.all')}</a>`;
        })
        .join('\n');
      const table = p.items.length
        ? `<table class="cases jobs">
<thead><tr><th>${t('field.name')}</th><th>${t('field.employer')}</th><th>${t('field.district')}</th><th>${t('field.status')}</th><th>${t('field.expires')}</th><th class="num">${t('field.reach')}</th><th></th></tr></thead>
<tbody>
${p.items.map((j) => row(ctx, j)).join('\n')}
</tbody>
</table>
<p class="muted">${t('list.reachHint')}</p>`
        : `<p class="muted" id="empty">${t('list.empty')}</p>`;
      const more = p.nextCursor
        ? `<p><a id="older" href="${esc(href(ctx.lang, { status: p.status, cursor: p.nextCursor }))}">${t('list.older')}</a></p>`
        : '';
      const body = `<h1>${t('title')}</h1>
${notice}
<section class="box" id="post">
<h2>${t('form.title')}</h2>
<p class="muted">${t('form.hint')}</p>
${form(ctx, p.form)}
</section>
<section class="box" id="list">
<h2>${t('list.title')}</h2>
<nav class="filters">
${filters}
</nav>
${table}
${more}
</section>`;
      return page(ctx, text(ctx.lang, 'title'), body);
    },

    /** A refusal or a missing posting, as a page of its own. */
    problem(ctx: PageContext, kind: 'forbidden' | 'notFound'): string {
      const message = text(ctx.lang, kind);
      return page(ctx, message, `<p class="error" role="alert">${esc(message)}</p>`);
    },

    /** A field's problem (the API's English message) as page text in the page's language. */
    message(lang: Lang, apiMessage: string): string {
      const n = /^at most (\d+) characters$/.exec(apiMessage)?.[1];
      if (n) return text(lang, 'error.tooLong', { n });
      const key = MESSAGES.find(([re]) => re.test(apiMessage))?.[1] ?? 'invalid';
      return text(lang, `error.${key}`);
    },
  };
}

const MESSAGES: readonly (readonly [RegExp, string])[] = [
  [/^required$/, 'required'],
  [/^expected Chinese text$/, 'notChinese'],
  [/^expected Tibetan text$/, 'notTibetan'],
  [/^in the past$/, 'past'],
  [/days ahead$/, 'tooFar'],
  [/^expected one of /, 'district'],
  [/slug/, 'category'],
];

export type JobViews = ReturnType<typeof jobViews>;
