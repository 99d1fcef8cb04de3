import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import { sessionActor, type Actor } from '../accounts/auth.js';
import type { Role } from '../accounts/role.js';
import { isLang, type Lang } from '../messaging/lang.js';

/**
 * What the pages behind the admin login share (campaigns, the counsellor console): one CSP
 * (no inline script or style), the login gate, the interface language, and their script and
 * stylesheet served with ETags. Their HTML shell: page-shell.ts.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  'img-src data:',
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const HTML = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': PAGE_CSP,
};

/** Loose on purpose: a page answers a bad filter with the default, never a JSON error. */
export const pageQuery = z.object({ lang: z.string().max(16).optional() });

export const sendHtml = (reply: FastifyReply, code: number, body: string) =>
  reply.code(code).headers(HTML).send(body);

export interface PageContext {
  lang: Lang;
  path: string;
  role: Role;
}

/**
 * The gate of a page: its reader and context, or null with the reply already sent (a redirect
 * to the login with `next`, or the 403 page `forbidden` renders).
 */
export function pageGate(
  deps: { accounts: Pick<AccountRepo, 'byId'>; adminSessions: Pick<AdminSessionStore, 'get'> },
  forbidden: (ctx: PageContext) => string,
) {
  return async (
    req: FastifyRequest & { query: { lang?: string | undefined } },
    reply: FastifyReply,
    roles: readonly Role[],
  ): Promise<{ ctx: PageContext; actor: Actor } | null> => {
    const actor = await sessionActor(deps, req);
    const ctx: PageContext = {
      lang: pageLang(req.query.lang, req.headers['accept-language']),
      path: req.url.split('?')[0] ?? '/',
      role: actor?.role ?? 'counsellor',
    };
    if (!actor) {
      await reply
        .code(302)
        .header('location', `/admin/login?next=${encodeURIComponent(req.url)}`)
        .send();
      return null;
    }
    if (!roles.includes(actor.role)) {
      await sendHtml(reply, 403, forbidden(ctx));
      return null;
    }
    return { ctx, actor };
  };
}

/** `?lang=` when it names one of ours, else the first of ours the browser asks for, else Chinese. */
export function pageLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of wanted) {
    if (tag === 'bo' || tag.startsWith('bo-')) return 'bo';
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
  }
  return 'zh-CN';
}

export interface PageAsset {
  body: string;
  contentType: string;
  etag: string;
  /** For `?v=` in the page (a new version is fetched at once). */
  version: string;
}

/**
 * The stylesheet (`admin.css` + the page's own) and script (`admin-common.js` + the page's own)
 * of a page family, from public/: one file each, what the families share first.
 */
export async function pageAssets(cssName: string, jsName: string) {
  const css = asset(
    `${await readPublic('admin.css')}\n${await readPublic(cssName)}`,
    'text/css; charset=utf-8',
  );
  const js = asset(
    `${await readPublic('admin-common.js')}\n${await readPublic(jsName)}`,
    'text/javascript; charset=utf-8',
  );
  return { css, js };
}

/** Serves assets at their paths, with an ETag (304 when unchanged). */
export function serveAssets(
  app: FastifyInstance,
  files: readonly (readonly [string, PageAsset])[],
) {
  for (const [path, file] of files)
    app.get(path, { schema: { hide: true } }, async (req, reply) => {
      if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
      return reply
        .headers({ 'content-type': file.contentType, 'cache-control': 'no-cache', etag: file.etag })
        .send(file.body);
    });
}

function asset(body: string, contentType: string): PageAsset {
  const hash = createHash('sha256').update(body).digest('hex');
  return { body, contentType, etag: `"${hash.slice(0, 32)}"`, version: hash.slice(0, 12) };
}

async function readPublic(name: string): Promise<string> {
  return readFile(await findUp(`public/${name}`), 'utf8');
}

/** A project file from src/http (tsx) or dist/src/http (built). */
export async function findUp(path: string): Promise<URL> {
  for (const up of ['../../', '../../../']) {
    const url = new URL(`${up}${path}`, import.meta.url);
    try {
      await access(url);
      return url;
    } catch {
      // try the next
    }
  }
  throw new Error(`${path} not found`);
}
