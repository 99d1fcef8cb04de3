import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import { readGlossary } from '../glossary.js';
import {
  findUp,
  pageGate,
  pageQuery,
  sendHtml,
  serveAssets,
  type PageAsset,
} from '../http/page-kit.js';
import { lhasaMonth } from '../lib/lhasa-time.js';
import type { Lang } from '../messaging/lang.js';
import { createMonthlyReport, MONTH_PATTERN, type HandoffMonthly } from './ledger.report.js';
import { ledgerViews, LEDGER_CSS } from './ledger.views.js';

export interface LedgerPagesDeps {
  mongo: Connection;
  cases?: HandoffMonthly | undefined;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  /** locales/<lang>/ledger.json, flat. */
  strings: (lang: Lang) => Record<string, string>;
  now?: () => Date;
}

/**
 * `GET /admin/reports/monthly?month=YYYY-MM&lang=` — the ledger's month for administrators and
 * supervisors (admin session; no session: to the login; other roles: 403): the numbers of
 * `GET /api/admin/reports/monthly` and a bar chart by district drawn on the server as SVG (the
 * page runs no script). A month that is not `YYYY-MM` shows the current one (Lhasa time).
 */
export function ledgerPages(deps: LedgerPagesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const glossary = readGlossary(fileURLToPath(await findUp('locales/glossary.json')));
    const report = createMonthlyReport({
      mongo: deps.mongo,
      districts: glossary.districts.map((d) => d.zh),
      cases: deps.cases,
    });
    const css = stylesheet(
      `${await readFile(await findUp('public/admin.css'), 'utf8')}\n${LEDGER_CSS}`,
    );
    const views = ledgerViews({
      strings: deps.strings,
      districts: glossary.districts,
      css: `/admin/assets/ledger.css?v=${css.version}`,
    });
    const gate = pageGate(deps, (ctx) => views.forbidden(ctx));

    app.get(
      '/admin/reports/monthly',
      {
        schema: {
          hide: true,
          querystring: pageQuery.extend({ month: z.string().max(16).optional() }),
        },
      },
      async (req, reply) => {
        const seen = await gate(req, reply, ['admin', 'supervisor']);
        if (!seen) return reply;
        const asked = req.query.month ?? '';
        const month = MONTH_PATTERN.test(asked) ? asked : lhasaMonth(now());
        return sendHtml(reply, 200, views.monthly(seen.ctx, await report(month, now())));
      },
    );

    serveAssets(app, [['/admin/assets/ledger.css', css]]);
  };
}

function stylesheet(body: string): PageAsset {
  const hash = createHash('sha256').update(body).digest('hex');
  return {
    body,
    contentType: 'text/css; charset=utf-8',
    etag: `"${hash.slice(0, 32)}"`,
    version: hash.slice(0, 12),
  };
}
