import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminStrings } from '../accounts/admin-pages.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import type { Role } from '../accounts/role.js';
import { pageAssets, pageGate, pageQuery, sendHtml, serveAssets } from '../http/page-kit.js';
import { lhasaMonth } from '../lib/lhasa-time.js';
import { isLang, type Lang } from '../messaging/lang.js';
import { caseDetail, caseView } from './case.routes.js';
import type { ComplaintService } from './complaints.js';
import type { HandoffService } from './handoff.service.js';
import type { CaseDetail } from './console.views.case.js';
import { consoleViews, REPORT_ROLES } from './console.views.js';

export interface ConsolePagesDeps {
  /** Open complaints past their deadline, shown with the reports (supervisors). */
  complaints: Pick<ComplaintService, 'list'>;
  service: Pick<
    HandoffService,
    'list' | 'get' | 'thread' | 'transcript' | 'satisfaction' | 'profileOf'
  >;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  /** locales/<lang>/admin.json, flat (the `console.*` keys). */
  strings: AdminStrings;
  /** A case's consented profile as lines in the page's language. */
  profileLines?: (profile: Readonly<Record<string, unknown>>, lang: Lang) => string[];
  now?: () => Date;
}

const ID = /^[0-9a-f]{24}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const STAFF: readonly Role[] = ['admin', 'supervisor', 'counsellor'];

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
    const { css, js } = await pageAssets('admin-console.css', 'admin-console.js');
    const views = consoleViews({
      strings: deps.strings,
      assets: {
        css: `/admin/assets/console.css?v=${css.version}`,
        js: `/admin/assets/console.js?v=${js.version}`,
      },
    });
    const html = sendHtml;
    const gate = pageGate(deps, (ctx) => views.problem(ctx, 'forbidden'));

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
        // The same shape as GET /api/admin/cases/:id, which the page polls.
        const detail: CaseDetail | null = ID.test(id)
          ? await caseDetail(deps.service, id, now())
          : null;
        if (!detail) return html(reply, 404, views.problem(seen.ctx, 'notFound'));
        const profileLines = deps.profileLines?.(detail.profile ?? {}, seen.ctx.lang) ?? [];
        return html(reply, 200, views.case(seen.ctx, { ...detail, profileLines }));
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
        const [rows, overdue] = await Promise.all([
          deps.service.satisfaction(month),
          deps.complaints.list({ overdue: true, limit: 100 }, now()),
        ]);
        return html(reply, 200, views.reports(seen.ctx, month, rows, overdue));
      },
    );

    serveAssets(app, [
      ['/admin/assets/console.css', css],
      ['/admin/assets/console.js', js],
    ]);
  };
}
