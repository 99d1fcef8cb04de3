import type { FastifyPluginAsync } from 'fastify';
import { exampleRoutes } from '../../examples/example.routes.js';
import type { ExampleRepo } from '../../examples/example.repo.js';
import { cardRoutes, type CardRoutesDeps } from '../../policy-cards/card.routes.js';
import { questionRoutes } from '../../questions/question.routes.js';
import type { QuestionRepo } from '../../questions/question.repo.js';
import { bearerAuth } from '../plugins/admin-auth.js';

export interface AdminDeps extends CardRoutesDeps {
  adminToken: string | undefined;
  questions: QuestionRepo;
  examples: ExampleRepo;
}

/** The admin API: one bearer-auth hook in front of every admin route group. */
export function adminRoutes(deps: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', bearerAuth(deps.adminToken));
    app.get(
      '/api/admin/whoami',
      {
        schema: {
          tags: ['admin'],
          summary: 'Who the bearer token belongs to',
          security: [{ bearer: [] }],
        },
      },
      async () => ({ role: 'admin' }),
    );
    await app.register(cardRoutes(deps));
    await app.register(questionRoutes(deps));
    await app.register(exampleRoutes(deps));
  };
}
