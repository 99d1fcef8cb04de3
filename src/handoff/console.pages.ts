import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminStrings } from '../accounts/admin-pages.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import { sessionActor, type Actor } from '../accounts/auth.js';
import type { Role } from '../accounts/role.js';
import { pageLang } from '../campaigns/campaign.pages.js';
import { lhasaMonth } from '../lib/lhasa-time.js';
import { isLang } from '../messaging/lang.js';
import { caseView } from './case.routes.js';
import type { HandoffService } from './handoff.service.js';
import type { CaseDetail } from './console.views.case.js';
import { consoleViews, REPORT_ROLES, type ConsoleContext } from './console.views.js';

export interface ConsolePagesDeps {
  service: Pick<HandoffService, 'list' | 'get' | 'thread' | 'transcript' | 'satisfaction'>;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  /** locales/<lang>/admin.json, flat (the `console.*` keys). */
  strings: AdminStrings;
  now?: () => Date;
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
const ID = /^[0-9a-f]{24}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const STAFF: readonly Role[] = ['admin', 'supervisor', 'counsellor'];
/** Loose on purpose: a page answers a bad filter with the default, never a JSON error. */
const pageQuery = z.object({ lang: z.string().max(16).optional() });

/**
 * The counsellor console behind the admin login, for offices without a case system of their own:
 * `GET /counsellor` (open cases, longest-waiting first, refreshed every 5 s),
 * `/counsellor/cases/:id` (summary, thread, transcript; reply, close, follow-up; live) and
 * `/counsellor/reports` (satisfaction by counsellor; administrators and supervisors). In one
 * language: `?lang=`, else Accept-Language, else Chinese. The pages read and change cases
 * through the admin API (`/api/admin/cases…`) with the session cookie; their script and
 * stylesheet are served here, under /admin/assets/.
 */
export function consolePages(deps: ConsolePagesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const css = asset(
      `${await readPublic('admin.css')}\n${await readPublic('admin-console.css')}`,
      'text/css; charset=utf-8',
    );
    const js = asset(await readPublic('admin-console.js'), 'text/javascript; charset=utf-8');
    const views = consoleViews({
      strings: deps.strings,
      assets: {
        css: `/admin/assets/console.css?v=${css.version}`,
        js: `/admin/assets/console.js?v=${js.version}`,
      },
    });
    const html = (reply: FastifyReply, code: number, body: string) =>
      reply.code(code).headers(HTML).send(body);

    /** The page's reader, or the reply already sent: a redirect to the login, or a 403 page. */
    async function gate(
      req: FastifyRequest & { query: { lang?: string | undefined } },
      reply: FastifyReply,
      roles: readonly Role[],
    ): Promise<{ ctx: ConsoleContext; actor: Actor } | null> {
      const actor = await sessionActor(deps, req);
      const ctx: ConsoleContext = {
        lang: pageLang(req.query.lang, req.headers['accept-language']),
        path: req.url.split('?')[0] ?? '/counsellor',
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
      return { ctx, actor };
    }

    app.get(
      '/counsellor',
      {
        schema: {
          hide: true,
          querystring: pageQuery.extend({
            language: z.string().max(16).optional(),
            mine: z.string().max(8).optional(),
          }),
        },
      },
      async (req, reply) => {
        const seen = await gate(req, reply, STAFF);
        if (!seen) return reply;
        const filter = {
          language: isLang(req.query.language) ? req.query.language : null,
          mine: req.query.mine === '1' || req.query.mine === 'true',
        };
        const docs = await deps.service.list({
          status: 'waiting',
          ...(filter.language ? { lang: filter.language } : {}),
          ...(filter.mine ? { counsellorId: seen.actor.id } : {}),
          limit: 100,
        });
        const at = now();
        return html(
          reply,
          200,
          views.queue(
            seen.ctx,
            docs.map((d) => caseView(d, at)),
            filter,
          ),
        );
      },
    );

    app.get(
      '/counsellor/cases/:id',
      { schema: { hide: true, querystring: pageQuery, params: z.object({ id: z.string() }) } },
      async (req, reply) => {
        const seen = await gate(req, reply, STAFF);
        if (!seen) return reply;
        const id = req.params.id;
        const doc = ID.test(id) ? await deps.service.get(id) : null;
        if (!doc) return html(reply, 404, views.problem(seen.ctx, 'notFound'));
        const [thread, transcript] = await Promise.all([
          deps.service.thread(id),
          deps.service.transcript(id),
        ]);
        // The same shape as GET /api/admin/cases/:id, which the page polls.
        const detail: CaseDetail = {
          ...caseView(doc, now()),
          thread: thread.map((e) => ({
            from: e.from,
            text: e.text,
            at: e.at.toISOString(),
            mediaUrl: e.mediaUrl ?? null,
            deliveredAt: e.deliveredAt?.toISOString() ?? null,
          })),
          transcript: transcript.map((l) => ({
            from: l.from,
            text: l.text,
            at: l.at.toISOString(),
            channel: l.channel,
            ...(l.mediaUrl ? { mediaUrl: l.mediaUrl } : {}),
          })),
        };
        return html(reply, 200, views.case(seen.ctx, detail));
      },
    );

    app.get(
      '/counsellor/reports',
      {
        schema: {
          hide: true,
          querystring: pageQuery.extend({ month: z.string().max(16).optional() }),
        },
      },
      async (req, reply) => {
        const seen = await gate(req, reply, REPORT_ROLES);
        if (!seen) return reply;
        const asked = req.query.month ?? '';
        const month = MONTH.test(asked) ? asked : lhasaMonth(now());
        const rows = await deps.service.satisfaction(month);
        return html(reply, 200, views.reports(seen.ctx, month, rows));
      },
    );

    for (const [path, file] of [
      ['/admin/assets/console.css', css],
      ['/admin/assets/console.js', js],
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

function asset(body: string, contentType: string) {
  const hash = createHash('sha256').update(body).digest('hex');
  return { body, contentType, etag: `"${hash.slice(0, 32)}"`, version: hash.slice(0, 12) };
}

// public/<name> from src/handoff (tsx) or dist/src/handoff (built).
async function readPublic(name: string): Promise<string> {
  for (const up of ['../../', '../../../']) {
    const url = new URL(`${up}public/${name}`, import.meta.url);
    try {
      await access(url);
      return await readFile(url, 'utf8');
    } catch {
      // try the next
    }
  }
  throw new Error(`public/${name} not found`);
}
