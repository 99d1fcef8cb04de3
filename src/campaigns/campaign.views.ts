import type { AdminStrings } from '../accounts/admin-pages.js';
import { esc, langAttr, lhasaTime, pageShell, pageStrings } from '../http/page-shell.js';
import { LANGS, type Lang } from '../messaging/lang.js';
import type { Audience } from './campaign.model.js';
import { DISTRICTS } from './campaign.routes.js';
import type { CampaignStatus, CampaignView } from './campaign.service.js';

/** Who is looking and in which language (the page kit's context). */
export type { PageContext } from '../http/page-kit.js';
import type { PageContext } from '../http/page-kit.js';

export interface CampaignViewsDeps {
  strings: AdminStrings;
  /** Chinese district name → Tibetan (locales/glossary.json `districts`). */
  districtsBo: ReadonlyMap<string, string>;
  /** Versioned URLs of the page's stylesheet and script. */
  assets: { css: string; js: string };
}

const CHANNELS = ['web', 'telegram', 'wechat'] as const;
/** Statuses whose numbers still move: the page polls while it sees one. */
const LIVE: readonly CampaignStatus[] = ['scheduled', 'sending', 'paused'];
const CANCELLABLE: readonly CampaignStatus[] = [
  'pending_approval',
  'scheduled',
  'sending',
  'paused',
];

/**
 * The campaign pages' HTML, in one language at a time (`?lang=`): the list, the form and one
 * campaign. Every campaign field is escaped here; the page script writes with textContent only.
 */
export function campaignViews(deps: CampaignViewsDeps) {
  const strings = pageStrings(deps.strings, 'campaigns');
  const text = strings.text;
  const district = (lang: Lang, zh: string) =>
    lang === 'bo' ? (deps.districtsBo.get(zh) ?? zh) : zh;
  const href = (ctx: PageContext, path: string) => `${path}?lang=${ctx.lang}`;

  const page = (
    ctx: PageContext,
    title: string,
    body: string,
    data?: Record<string, unknown>,
  ): string =>
    pageShell({
      ctx,
      title,
      site: strings.site(ctx.lang),
      nav: [
        { href: '/admin', label: text(ctx.lang, 'home') },
        { href: href(ctx, '/admin/campaigns'), label: text(ctx.lang, 'title') },
      ],
      langName: (lang) => text(lang, 'langName'),
      assets: deps.assets,
      body,
      script: data && { data, strings: strings.script(ctx.lang) },
    });

  const statusBadge = (lang: Lang, status: CampaignStatus, id?: string) =>
    `<span class="status" data-status="${status}"${id ? ` id="${id}"` : ''}>${esc(text(lang, `status.${status}`))}</span>`;

  const progressBar = (c: CampaignView, id?: string) => {
    const p = progressOf(c);
    return `<progress max="100" value="${p.percent}"${id ? ` id="${id}"` : ''}>${p.percent}%</progress> <span class="percent"${id ? ` id="${id}-text"` : ''}>${p.percent}%</span>`;
  };

  function audienceHtml(lang: Lang, a: Audience): string {
    const t = (key: string) => esc(text(lang, key));
    const any = `<span class="muted">${t('field.any')}</span>`;
    const row = (key: string, items: string[] | undefined, name: (v: string) => string) =>
      `<dt>${t(`field.${key}`)}</dt><dd>${items?.length ? items.map((v) => esc(name(v))).join(' · ') : any}</dd>`;
    return `<dl class="audience">
${row('languages', a.languages, (v) => text(lang, `lang.${v}`))}
${row('channels', a.channels, (v) => text(lang, `channel.${v}`))}
${row('districts', a.districts, (v) => district(lang, v))}
${row('categories', a.categories, (v) => v)}
${row('tags', a.tags, (v) => v)}
</dl>`;
  }

  const checkboxes = (name: string, values: readonly string[], label: (v: string) => string) =>
    values
      .map(
        (v) =>
          `<label class="check"><input type="checkbox" name="${name}" value="${esc(v)}"> ${esc(label(v))}</label>`,
      )
      .join('\n');
  const fieldError = (path: string) =>
    `<p class="field-error" data-error-for="${path}" role="alert" hidden></p>`;

  return {
    list(ctx: PageContext, items: CampaignView[], nextCursor: string | null): string {
      const t = (key: string) => esc(text(ctx.lang, key));
      const rows = items
        .map(
          (c) => `<tr>
<td><a href="${href(ctx, `/admin/campaigns/${c.id}`)}"${langAttr(c.title)}>${esc(c.title)}</a></td>
<td>${statusBadge(ctx.lang, c.status)}</td>
<td><time datetime="${esc(c.sendAt)}">${lhasaTime(c.sendAt)}</time></td>
<td class="progress-cell">${progressBar(c)}</td>
</tr>`,
        )
        .join('\n');
      const table = items.length
        ? `<table class="campaigns">
<thead><tr><th>${t('field.title')}</th><th>${t('field.status')}</th><th>${t('field.sendAt')}</th><th>${t('field.progress')}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
        : `<p class="muted">${t('empty')}</p>`;
      const more = nextCursor
        ? `<p><a href="/admin/campaigns?lang=${ctx.lang}&amp;cursor=${nextCursor}">${t('older')}</a></p>`
        : '';
      const create =
        ctx.role === 'admin'
          ? `<p><a class="button" id="new-campaign" href="${href(ctx, '/admin/campaigns/new')}">${t('new')}</a></p>`
          : '';
      return page(
        ctx,
        text(ctx.lang, 'title'),
        `<h1>${t('title')}</h1>\n${create}\n${table}\n${more}`,
      );
    },

    form(ctx: PageContext): string {
      const t = (key: string) => esc(text(ctx.lang, key));
      const body = `<h1>${t('new')}</h1>
<div class="columns">
<form id="campaign-form" novalidate>
<p id="form-error" class="error" role="alert" hidden></p>
<div class="field">
<label for="f-title">${t('field.title')}</label>
<input id="f-title" name="title" maxlength="120" autocomplete="off">
${fieldError('title')}
</div>
<div class="field">
<label for="f-zh">${t('field.messageZh')}</label>
<textarea id="f-zh" name="message.zh-CN" lang="zh-CN" rows="6" maxlength="10000"></textarea>
${fieldError('message.zh-CN')}
</div>
<div class="field">
<label for="f-bo">${t('field.messageBo')}</label>
<textarea id="f-bo" name="message.bo" lang="bo" rows="6" maxlength="10000"></textarea>
${fieldError('message.bo')}
</div>
<fieldset>
<legend>${t('field.audience')}</legend>
<fieldset class="choices"><legend>${t('field.languages')}</legend>
${checkboxes('languages', LANGS, (v) => text(ctx.lang, `lang.${v}`))}
${fieldError('audience.languages')}
</fieldset>
<fieldset class="choices"><legend>${t('field.channels')}</legend>
${checkboxes('channels', CHANNELS, (v) => text(ctx.lang, `channel.${v}`))}
${fieldError('audience.channels')}
</fieldset>
<fieldset class="choices"><legend>${t('field.districts')}</legend>
${checkboxes('districts', DISTRICTS, (v) => district(ctx.lang, v))}
${fieldError('audience.districts')}
</fieldset>
<label for="f-categories">${t('field.categories')} <span class="muted">(${t('field.commaHint')})</span></label>
<input id="f-categories" name="categories" autocomplete="off" spellcheck="false">
${fieldError('audience.categories')}
<label for="f-tags">${t('field.tags')} <span class="muted">(${t('field.commaHint')})</span></label>
<input id="f-tags" name="tags" autocomplete="off">
${fieldError('audience.tags')}
</fieldset>
<fieldset>
<legend>${t('field.when')}</legend>
<label class="check"><input type="radio" name="when" value="now" checked> ${t('when.now')}</label>
<label class="check"><input type="radio" name="when" value="later"> ${t('when.later')}</label>
<label for="f-at">${t('field.at')}</label>
<input id="f-at" name="sendAt" type="datetime-local">
${fieldError('sendAt')}
</fieldset>
<button type="submit" id="submit">${t('submit')}</button>
</form>
<section id="preview" aria-live="polite">
<h2>${t('preview.title')}</h2>
<p class="muted" id="preview-empty">${t('preview.empty')}</p>
<ul id="preview-problems" class="warnings"></ul>
<div id="preview-items"></div>
</section>
</div>`;
      return page(ctx, text(ctx.lang, 'new'), body, { page: 'new' });
    },

    show(ctx: PageContext, c: CampaignView): string {
      const t = (key: string) => esc(text(ctx.lang, key));
      const s = c.stats;
      const stat = (key: string, value: string) =>
        `<dt>${t(`stats.${key}`)}</dt><dd id="stat-${key}">${esc(value)}</dd>`;
      const admin = ctx.role === 'admin';
      const actions = admin
        ? `<section id="actions">
<p id="action-result" role="status"></p>
<button type="button" id="approve"${c.status === 'pending_approval' ? '' : ' hidden'}>${t('action.approve')}</button>
<button type="button" id="cancel" class="danger"${CANCELLABLE.includes(c.status) ? '' : ' hidden'}>${t('action.cancel')}</button>
<form id="test-form" novalidate>
<h2>${t('test.title')}</h2>
<p class="muted">${t('test.hint')}</p>
<label for="t-channel">${t('test.channel')}</label>
<select id="t-channel" name="channel">
${CHANNELS.map((ch) => `<option value="${ch}">${t(`channel.${ch}`)}</option>`).join('\n')}
</select>
<label for="t-address">${t('test.address')}</label>
<input id="t-address" name="address" autocomplete="off" spellcheck="false" maxlength="128">
<button type="submit" id="test-send">${t('test.send')}</button>
<p id="test-result" role="status"></p>
</form>
</section>`
        : '';
      const body = `<h1${langAttr(c.title)}>${esc(c.title)}</h1>
<dl class="facts">
<dt>${t('field.status')}</dt><dd>${statusBadge(ctx.lang, c.status, 'c-status')}</dd>
<dt>${t('field.sendAt')}</dt><dd><time datetime="${esc(c.sendAt)}">${lhasaTime(c.sendAt)}</time></dd>
<dt>${t('field.estimate')}</dt><dd>${c.estimate}</dd>
<dt>${t('field.createdBy')}</dt><dd>${esc(c.createdBy)}</dd>
<dt>${t('field.approvedBy')}</dt><dd id="c-approved-by">${esc(c.approvedBy ?? '—')}</dd>
</dl>
<section class="box">
<h2>${t('field.progress')}</h2>
<p>${progressBar(c, 'c-progress')}</p>
<dl class="stats">
${stat('recipients', s.recipients === null ? '—' : String(s.recipients))}
${stat('sent', String(s.sent))}
${stat('failed', String(s.failed))}
${stat('skipped', String(s.skipped))}
${stat('pending', String(s.pending))}
${stat('cancelled', String(s.cancelled))}
${stat('rate', text(ctx.lang, 'stats.rateValue', { n: s.rate }))}
${stat('eta', s.etaSeconds === null ? '—' : text(ctx.lang, 'stats.etaValue', { n: s.etaSeconds }))}
</dl>
</section>
${actions}
<section class="box">
<h2>${t('field.audience')}</h2>
${audienceHtml(ctx.lang, c.audience)}
</section>
<section class="box">
<h2>${t('field.messageZh')}</h2>
<div class="text" lang="zh-CN">${esc(c.message['zh-CN'])}</div>
<h2>${t('field.messageBo')}</h2>
<div class="text" lang="bo">${esc(c.message.bo)}</div>
</section>`;
      return page(ctx, c.title, body, {
        page: 'show',
        campaign: c,
        live: LIVE,
        cancellable: CANCELLABLE,
        admin,
      });
    },

    /** A refusal or a missing campaign, as a page of its own. */
    problem(ctx: PageContext, kind: 'forbidden' | 'notFound'): string {
      const message = text(ctx.lang, kind);
      return page(ctx, message, `<p class="error" role="alert">${esc(message)}</p>`);
    },
  };
}

export type CampaignViews = ReturnType<typeof campaignViews>;

/** Done (sent, failed or skipped) out of the recipients; before the fan-out ends, out of those known. */
export function progressOf(c: Pick<CampaignView, 'status' | 'stats'>): { percent: number } {
  const s = c.stats;
  const done = s.sent + s.failed + s.skipped;
  const total = s.recipients ?? done + s.pending + s.cancelled;
  if (total <= 0) return { percent: c.status === 'completed' ? 100 : 0 };
  return { percent: Math.min(100, Math.floor((done * 100) / total)) };
}
