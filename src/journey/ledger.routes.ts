import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { actorName, requireRole } from '../accounts/auth.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import { readGlossary } from '../glossary.js';
import { findUp } from '../http/page-kit.js';
import { LHASA_OFFSET_MS, lhasaMonth } from '../lib/lhasa-time.js';
import type { Sealer } from '../lib/sealed.js';
import { createLedgerQueries, LEDGER_STATUSES, type LedgerFilter } from './ledger.queries.js';
import { createMonthlyReport, MONTH_PATTERN, type HandoffMonthly } from './ledger.report.js';
import { ledgerCsv, ledgerItem } from './ledger.view.js';

export interface LedgerRoutesDeps {
  mongo: Connection;
  audit: AuditRepo;
  /** Opens sensitive fields; null without DATA_KEY (they then read as null). */
  sealer: Sealer | null;
  /** Satisfaction and complaints of a month (default: read from the handoff's collections). */
  cases?: HandoffMonthly;
  /** The districts every report lists (default: the glossary's). */
  districts?: readonly string[];
  now?: () => Date;
}

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');
const filters = {
  district: z
    .string()
    .min(1)
    .max(64)
    .regex(/^\P{Cc}+$/u, 'no control characters')
    .optional(),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'expected a category slug')
    .optional(),
  status: z.enum(LEDGER_STATUSES).optional(),
};
const listQuery = z.object({
  ...filters,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{24}$/i, 'expected a person id')
    .optional(),
  sensitive: flag,
  format: z.enum(['json', 'csv']).default('json'),
});
const monthQuery = z.object({
  month: z.string().regex(MONTH_PATTERN, 'expected YYYY-MM').optional(),
});

/**
 * The ledger (台账) for administrators and supervisors, behind the admin API's authentication:
 * - `GET /api/admin/people` — people newest first, filtered by district, category and status
 *   (see `statusOf`), paged by `cursor` (`nextCursor` while there are more); `format=csv` exports
 *   every matching row (limit and cursor do not apply), in pages of 500;
 * - `GET /api/admin/people/:id` — one person's entry (404 for an unknown or malformed id);
 * - `GET /api/admin/reports/monthly?month=YYYY-MM` — the month's numbers (ledger.report.ts).
 * `sensitive=1` adds disability and health, for administrators only (a supervisor: 403); each
 * such read and every export is audited (`people.read-sensitive`, `people.export`) with the
 * filters and the number of people, never the values.
 */
export function ledgerRoutes(deps: LedgerRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  const queries = createLedgerQueries(deps.mongo);
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const districts =
      deps.districts ??
      readGlossary(fileURLToPath(await findUp('locales/glossary.json'))).districts.map((d) => d.zh);
    const report = createMonthlyReport({ mongo: deps.mongo, districts, cases: deps.cases });
    const tags = ['people'];
    const security = [{ bearer: [] }];
    const lead = requireRole('admin', 'supervisor');

    /** Sensitive fields are for administrators: false with the 403 sent. */
    const mayReadSensitive = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.actor?.role === 'admin') return true;
      await reply.code(403).send({ error: 'forbidden' });
      return false;
    };
    const audit = (
      req: FastifyRequest,
      action: string,
      target: string,
      details: Record<string, unknown>,
    ) => deps.audit.record({ at: now(), actor: actorName(req), action, target, details });

    app.get(
      '/api/admin/people',
      {
        onRequest: lead,
        schema: {
          tags,
          security,
          summary: 'The ledger (台账): people newest first, filtered and paged, as JSON or CSV',
          querystring: listQuery,
        },
      },
      async (req, reply) => {
        const q = req.query;
        if (q.sensitive && !(await mayReadSensitive(req, reply))) return reply;
        const filter: LedgerFilter = {
          district: q.district,
          category: q.category,
          status: q.status,
        };
        const shown = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
        const open = q.sensitive ? { sealer: deps.sealer } : null;

        if (q.format === 'csv') {
          // Audited before a row leaves: the number is what matched when the export began.
          const count = await queries.count(filter);
          await audit(req, 'people.export', 'people', {
            filters: shown,
            sensitive: q.sensitive,
            count,
          });
          const csv = ledgerCsv(q.sensitive);
          async function* body() {
            yield csv.header;
            for await (const page of queries.all(filter, 500)) {
              const items = page.docs.map((d) =>
                ledgerItem(d, page.channels.get(d._id.toHexString()) ?? [], open),
              );
              yield csv.rows(items);
            }
          }
          const day = new Date(now().getTime() + LHASA_OFFSET_MS).toISOString().slice(0, 10);
          return reply
            .type('text/csv; charset=utf-8')
            .header('cache-control', 'no-store')
            .header('content-disposition', `attachment; filename="ledger-${day}.csv"`)
            .send(Readable.from(body()));
        }

        const page = await queries.page(filter, q.limit, q.cursor);
        const items = page.docs.map((d) =>
          ledgerItem(d, page.channels.get(d._id.toHexString()) ?? [], open),
        );
        if (q.sensitive)
          await audit(req, 'people.read-sensitive', 'people', {
            filters: { ...shown, ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit },
            count: items.length,
          });
        return reply
          .header('cache-control', 'no-store')
          .send({ items, nextCursor: page.nextCursor });
      },
    );

    app.get(
      '/api/admin/people/:id',
      {
        onRequest: lead,
        schema: {
          tags,
          security,
          summary: 'One person’s ledger entry (sensitive=1: with disability and health, admins)',
          params: z.object({ id: z.string() }),
          querystring: z.object({ sensitive: flag }),
        },
      },
      async (req, reply) => {
        if (req.query.sensitive && !(await mayReadSensitive(req, reply))) return reply;
        const found = await queries.get(req.params.id);
        if (!found) return reply.code(404).send({ error: 'not_found' });
        const open = req.query.sensitive ? { sealer: deps.sealer } : null;
        const item = ledgerItem(found.doc, found.channels, open);
        if (open) await audit(req, 'people.read-sensitive', `person:${item.id}`, { count: 1 });
        return reply.header('cache-control', 'no-store').send(item);
      },
    );

    app.get(
      '/api/admin/reports/monthly',
      {
        onRequest: lead,
        schema: {
          tags,
          security,
          summary: 'The month in numbers: people served, new, placed; satisfaction; complaints',
          querystring: monthQuery,
        },
      },
      async (req) => report(req.query.month ?? lhasaMonth(now()), now()),
    );
  };
}
