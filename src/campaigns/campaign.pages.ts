import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminStrings } from '../accounts/admin-pages.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import { sessionActor } from '../accounts/auth.js';
import type { Role } from '../accounts/role.js';
import { AppError } from '../errors.js';
import { readGlossary } from '../glossary.js';
import { isLang, type Lang } from '../messaging/lang.js';
import type { CampaignService } from './campaign.service.js';
import { campaignViews, type PageContext } from './campaign.views.js';

export interface CampaignPagesDeps {
  service: Pick<CampaignService, 'list' | 'get'>;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  /** locales/<lang>/admin.json, flat (the `campaigns.*` keys). */
  strings: AdminStrings;
}

const CSP = [
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
  'content-security-policy': CSP,
};
const ID = /^[0-9a-f]{24}$/i;
const pageQuery = z.object({ lang: z.string().max(16).optional() });

/**
 * The campaign pages behind the admin login (an admin's or supervisor's session cookie):
 * `GET /admin/campaigns` (the list), `/admin/campaigns/new` (the form; admins only) and
 * `/admin/campaigns/:id` (one campaign, live). In one language: `?lang=`, else the browser's
 * Accept-Language, else Chinese. Their script and stylesheet are served here, under
 * /admin/assets/; the page reads and changes campaigns through the admin API.
 */
export function campaignPages(deps: CampaignPagesDeps): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const css = asset(
      `${await readPublic('admin.css')}\n${await readPublic('admin-campaigns.css')}`,
      'text/css; charset=utf-8',
    );
    const js = asset(await readPublic('admin-campaigns.js'), 'text/javascript; charset=utf-8');
    const glossary = readGlossary(fileURLToPath(await findUp('locales/glossary.json')));
    const views = campaignViews({
      strings: deps.strings,
      districtsBo: new Map(glossary.districts.map((d) => [d.zh, d.bo])),
      assets: {
        css: `/admin/assets/campaigns.css?v=${css.version}`,
        js: `/admin/assets/campaigns.js?v=${js.version}`,
      },
    });
    const html = (reply: FastifyReply, code: number, body: string) =>
      reply.code(code).headers(HTML).send(body);

    /** The page's reader, or the reply already sent: a redirect to the login, or a 403 page. */
    async function gate(
      req: FastifyRequest & { query: { lang?: string | undefined } },
      reply: FastifyReply,
      roles: readonly Role[],
    ): Promise<PageContext | null> {
      const actor = await sessionActor(deps, req);
      const ctx: PageContext = {
        lang: pageLang(req.query.lang, req.headers['accept-language']),
        path: req.url.split('?')[0] ?? '/admin/campaigns',
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
        await html(reply, 403, views.problem(ctx, 'forbidden'));
        return null;
      }
      return ctx;
    }

    app.get(
      '/admin/campaigns',
      {
        schema: {
          hide: true,
          querystring: pageQuery.extend({ cursor: z.string().regex(ID).optional() }),
        },
      },
      async (req, reply) => {
        const ctx = await gate(req, reply, ['admin', 'supervisor']);
        if (!ctx) return reply;
        const { items, nextCursor } = await deps.service.list(20, req.query.cursor);
        return html(reply, 200, views.list(ctx, items, nextCursor));
      },
    );

    app.get(
      '/admin/campaigns/new',
      { schema: { hide: true, querystring: pageQuery } },
      async (req, reply) => {
        const ctx = await gate(req, reply, ['admin']);
        if (!ctx) return reply;
        return html(reply, 200, views.form(ctx));
      },
    );

    app.get(
      '/admin/campaigns/:id',
      { schema: { hide: true, querystring: pageQuery, params: z.object({ id: z.string() }) } },
      async (req, reply) => {
        const ctx = await gate(req, reply, ['admin', 'supervisor']);
        if (!ctx) return reply;
        const campaign = ID.test(req.params.id)
          ? await deps.service.get(req.params.id).catch((err: unknown) => {
              if (err instanceof AppError && err.code === 'not_found') return null;
              throw err;
            })
          : null;
        if (!campaign) return html(reply, 404, views.problem(ctx, 'notFound'));
        return html(reply, 200, views.show(ctx, campaign));
      },
    );

    for (const [path, file] of [
      ['/admin/assets/campaigns.css', css],
      ['/admin/assets/campaigns.js', js],
    ] as const)
      app.get(path, { schema: { hide: true } }, async (req, reply) => {
        if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
        return reply
          .headers({
            'content-type': file.contentType,
            'cache-control': 'no-cache',
            etag: file.etag,
          })
          .send(file.body);
      });
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

function asset(body: string, contentType: string) {
  const hash = createHash('sha256').update(body).digest('hex');
  return { body, contentType, etag: `"${hash.slice(0, 32)}"`, version: hash.slice(0, 12) };
}

async function readPublic(name: string): Promise<string> {
  return readFile(await findUp(`public/${name}`), 'utf8');
}

// A project file from src/campaigns (tsx) or dist/src/campaigns (built).
async function findUp(path: string): Promise<URL> {
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
