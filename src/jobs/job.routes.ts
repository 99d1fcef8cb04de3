import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorName, requireRole } from '../accounts/auth.js';
import { jobBody, jobListQuery, jobPatch } from './job.schema.js';
import type { JobService } from './job.service.js';

// Any string: an unknown or malformed id is a 404, not a 400.
const idParams = z.object({ id: z.string().max(64) });

/**
 * The admin API for job postings (DESIGN.md `POST /api/admin/jobs`), inside the admin plugin
 * (authenticated): administrators and supervisors post, edit and close; counsellors read.
 * - `POST /api/admin/jobs` → 201 the posting;
 * - `GET /api/admin/jobs?status&district&limit&cursor` → `{items, nextCursor}`, newest first;
 * - `GET /api/admin/jobs/:id`, `PATCH /api/admin/jobs/:id` (409 when closed),
 *   `POST /api/admin/jobs/:id/close` (409 when closed already).
 * `status` reads `expired` for an open posting past its `expiresAt` (computed on read).
 */
export function jobRoutes(deps: { service: JobService; now?: () => Date }): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['jobs'];
    const security = [{ bearer: [] }];
    const writer = requireRole('admin', 'supervisor');
    const reader = requireRole('admin', 'supervisor', 'counsellor');

    app.post(
      '/api/admin/jobs',
      {
        onRequest: writer,
        schema: {
          tags,
          security,
          summary: 'Post a job: title as Chinese text or {"zh-CN","bo"}; open 30 days by default',
          body: jobBody(now),
        },
      },
      async (req, reply) =>
        reply.code(201).send(await deps.service.create(req.body, actorName(req))),
    );

    app.get(
      '/api/admin/jobs',
      {
        onRequest: reader,
        schema: {
          tags,
          security,
          summary: 'Job postings, newest first (open, expired or closed; by district)',
          querystring: jobListQuery,
        },
      },
      async (req) => {
        const { status, district, limit, cursor } = req.query;
        return deps.service.list({ status, district }, limit, cursor);
      },
    );

    app.get(
      '/api/admin/jobs/:id',
      {
        onRequest: reader,
        schema: { tags, security, summary: 'A job posting', params: idParams },
      },
      async (req) => deps.service.get(req.params.id),
    );

    app.patch(
      '/api/admin/jobs/:id',
      {
        onRequest: writer,
        schema: {
          tags,
          security,
          summary:
            'Edit a posting (not a closed one); a new title or description replaces it whole',
          params: idParams,
          body: jobPatch(now),
        },
      },
      async (req) => deps.service.update(req.params.id, req.body, actorName(req)),
    );

    app.post(
      '/api/admin/jobs/:id/close',
      {
        onRequest: writer,
        schema: {
          tags,
          security,
          summary: 'Close a posting (no more alerts or recommendations)',
          params: idParams,
        },
      },
      async (req) => deps.service.close(req.params.id, actorName(req)),
    );
  };
}
