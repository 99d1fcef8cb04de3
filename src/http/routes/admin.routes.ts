import type { AdminSessionStore } from '../../accounts/admin-session.store.js';
import type { FastifyPluginAsync } from 'fastify';
import { accountRoutes } from '../../accounts/account.routes.js';
import type { AccountRepo } from '../../accounts/account.repo.js';
import { authenticate, type AuthDeps } from '../../accounts/auth.js';
import { exampleRoutes } from '../../examples/example.routes.js';
import type { ExampleRepo } from '../../examples/example.repo.js';
import { cardRoutes, type CardRoutesDeps } from '../../policy-cards/card.routes.js';
import { questionRoutes } from '../../questions/question.routes.js';
import type { QuestionRepo } from '../../questions/question.repo.js';

export interface AdminDeps extends CardRoutesDeps, AuthDeps {
  /** Feature route groups mounted behind the same authentication (campaigns). */
  featureRoutes?: readonly FastifyPluginAsync[];
  accounts: AccountRepo;
  adminSessions: Pick<AdminSessionStore, 'get' | 'endAll'>;
  questions: QuestionRepo;
  examples: ExampleRepo;
}

/**
 * The admin API: one authentication hook (bearer token or admin session cookie) in front of
 * every admin route group; each route names the roles it admits (`requireRole`).
 */
export function adminRoutes(deps: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(deps));
    app.get(
      '/api/admin/whoami',
      {
        schema: {
          tags: ['admin'],
          summary: 'The account acting: by its bearer token or session cookie',
          security: [{ bearer: [] }],
        },
      },
      async (req, reply) => {
        if (!req.actor) return reply.code(401).send({ error: 'unauthorized' });
        const { id, username, role } = req.actor;
        return { id, username, role };
      },
    );
    await app.register(cardRoutes(deps));
    await app.register(questionRoutes(deps));
    await app.register(exampleRoutes(deps));
    await app.register(accountRoutes(deps));
    for (const routes of deps.featureRoutes ?? []) await app.register(routes);
  };
}
