import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorName, requireRole } from '../accounts/auth.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Outbox } from './outbox.js';

/** The outbox for administrators: what the counsellor system never took, and sending it again. */
export function webhookEventRoutes(deps: {
  outbox: Outbox;
  audit: AuditRepo;
  now?: () => Date;
}): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const security = [{ bearer: [] }];
    const admin = requireRole('admin');
    app.get(
      '/api/admin/webhooks',
      {
        onRequest: admin,
        schema: {
          tags: ['webhooks'],
          security,
          summary:
            'Events to the counsellor system (status=undelivered: given up after the retry window)',
          querystring: z.object({
            status: z.enum(['pending', 'delivered', 'undelivered', 'skipped']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
        },
      },
      async (req) => ({
        items: await deps.outbox.list({
          ...(req.query.status ? { status: req.query.status } : {}),
          limit: req.query.limit,
        }),
      }),
    );

    app.post(
      '/api/admin/webhooks/:id/redeliver',
      {
        onRequest: admin,
        schema: {
          tags: ['webhooks'],
          security,
          summary: 'Send an undelivered event again (same webhook-id, a new retry window)',
          params: z.object({
            id: z.string().regex(/^msg_[A-Za-z0-9]{1,40}$/, 'expected an event id'),
          }),
        },
      },
      async (req, reply) => {
        const done = await deps.outbox.redeliver(req.params.id);
        if (done === 'unknown')
          return reply.code(404).send({ error: 'not_found', message: 'no event with this id' });
        if (done === 'delivered')
          return reply
            .code(409)
            .send({ error: 'conflict', message: 'this event was delivered already' });
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'webhook.redeliver',
          target: `webhook:${req.params.id}`,
        });
        return { ok: true };
      },
    );
  };
}
