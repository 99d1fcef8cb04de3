import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { queryFlag } from '../lib/query-flag.js';
import { requireRole } from '../accounts/auth.js';
import type { ComplaintService } from './complaints.js';
import type { HandoffService } from './handoff.service.js';

/** Complaints past their deadline and satisfaction by counsellor: for supervisors and admins. */
export function reportRoutes(deps: {
  handoff: Pick<HandoffService, 'satisfaction'>;
  complaints: ComplaintService;
  now?: () => Date;
}): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['cases'];
    const security = [{ bearer: [] }];
    const lead = requireRole('admin', 'supervisor');
    app.get(
      '/api/admin/complaints',
      {
        onRequest: lead,
        schema: {
          tags,
          security,
          summary: 'Complaints: overdue=1 lists open ones past their deadline (oldest first)',
          querystring: z.object({
            overdue: queryFlag,
            status: z.enum(['open', 'resolved']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
        },
      },
      async (req) => {
        const items = await deps.complaints.list(
          {
            overdue: req.query.overdue,
            ...(req.query.status ? { status: req.query.status } : {}),
            limit: req.query.limit,
          },
          now(),
        );
        return { items };
      },
    );

    app.get(
      '/api/admin/reports/satisfaction',
      {
        onRequest: lead,
        schema: {
          tags,
          security,
          summary: 'Satisfaction ratings by counsellor for a month (Lhasa time)',
          querystring: z.object({
            month: z
              .string()
              .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM')
              .optional(),
          }),
        },
      },
      async (req) => {
        const month =
          req.query.month ?? new Date(now().getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
        return { month, counsellors: await deps.handoff.satisfaction(month) };
      },
    );
  };
}
