import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../accounts/auth.js';
import type { QuestionRepo } from './question.repo.js';

/** GET /api/admin/questions/unanswered: declined questions and answers marked unhelpful. */
export function questionRoutes(deps: { questions: QuestionRepo }): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/api/admin/questions/unanswered',
      {
        onRequest: requireRole('admin', 'supervisor'),
        schema: {
          tags: ['policy cards'],
          security: [{ bearer: [] }],
          summary:
            'Questions the assistant declined, or whose answer was marked unhelpful (newest first)',
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z
              .string()
              .regex(/^[0-9a-f]{24}$/)
              .optional(),
          }),
        },
      },
      async (req) =>
        deps.questions.listUnanswered({
          limit: req.query.limit,
          ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
        }),
    );
  };
}
