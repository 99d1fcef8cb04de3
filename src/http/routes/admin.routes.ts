import type { FastifyPluginAsync } from 'fastify';
import { bearerAuth } from '../plugins/admin-auth.js';

/** The admin API's root: the auth hook every admin route group shares (routes arrive with later issues). */
export function adminRoutes(deps: { adminToken: string | undefined }): FastifyPluginAsync {
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
  };
}
