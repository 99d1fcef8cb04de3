import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { findUp } from '../http/page-kit.js';
import { esc, htmlHead, type AdminStrings } from '../http/page-shell.js';
import type { Actor } from './auth.js';

/** The admin pages' own text (locales/<lang>/admin.json), flat: `role.admin` → text. */
export type { AdminStrings } from '../http/page-shell.js';

export type LoginProblem = 'failed' | 'locked' | 'tooMany';

export interface AdminPages {
  login(opts: { next: string; problem?: LoginProblem; username?: string }): string;
  home(actor: Actor): string;
  /** Headers of every admin page: no script at all, the inline style allowed by its hash. */
  headers: Record<string, string>;
}

/**
 * The admin pages: small, self-contained HTML in both languages (Chinese, then Tibetan), no
 * script and no external URL; Tibetan from the app's own font under /assets/fonts/.
 */
export async function loadAdminPages(strings: AdminStrings): Promise<AdminPages> {
  const css = await readCss();
  const styleHash = createHash('sha256').update(css).digest('base64');
  const zh = strings('zh-CN');
  const bo = strings('bo');
  /** Both languages of a key, as inline HTML. */
  const t = (key: string) =>
    `<span lang="zh-CN">${esc(zh[key] ?? key)}</span> <span lang="bo">${esc(bo[key] ?? key)}</span>`;
  /** Both languages as plain text (titles, attributes). */
  const a = (key: string) => esc(`${zh[key] ?? key} · ${bo[key] ?? key}`);
  const page = (title: string, body: string) =>
    `${htmlHead('zh-CN', title, `<style>${css}</style>`)}
<body>
<main>
${body}
</main>
</body>
</html>
`;
  return {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; font-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    },
    login({ next, problem, username }) {
      const problems = problem === 'locked' ? ['failed', 'locked'] : problem ? [problem] : [];
      return page(
        a('loginTitle'),
        `<h1>${t('loginTitle')}</h1>
${problems.map((p) => `<p class="error" role="alert">${t(p)}</p>`).join('\n')}
<form method="post" action="/admin/login">
<input type="hidden" name="next" value="${esc(next)}">
<label for="username">${t('username')}</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${esc(username ?? '')}">
<label for="password">${t('password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
<button type="submit">${t('signIn')}</button>
</form>`,
      );
    },
    home(actor) {
      return page(
        a('title'),
        `<h1>${t('title')}</h1>
<p class="muted">${t('signedInAs')}: <strong>${esc(actor.username)}</strong> (${t(`role.${actor.role}`)})</p>
<ul>
<li><a href="/admin/campaigns">${t('campaigns.title')}</a></li>
<li><a href="/admin/jobs">${t('jobs')}</a></li>
<li><a href="/counsellor">${t('console.title')}</a></li>
<li><a href="/admin/reports/monthly">${t('reports')}</a></li>
<li><a href="/admin/queues">${t('queues')}</a></li>
<li><a href="/docs">${t('docs')}</a></li>
</ul>
<form method="post" action="/admin/logout">
<button type="submit">${t('signOut')}</button>
</form>`,
      );
    },
  };
}

async function readCss(): Promise<string> {
  return readFile(await findUp('public/admin.css'), 'utf8');
}
