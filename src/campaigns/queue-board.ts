import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import { sameOrigin, sessionActor, type AuthDeps } from '../accounts/auth.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * bull-board at /admin/queues for administrators (their login session): the campaign and send
 * queues, the maintenance queue. Anyone else is sent to the login page (pages) or refused (its
 * API); a state-changing call from another site is refused (CSRF).
 */
export function queueBoardRoutes(
  deps: Pick<AuthDeps, 'accounts' | 'adminSessions' | 'config'>,
  queues: () => readonly Queue[],
): FastifyPluginAsync {
  return async (app) => {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: queues().map((q) => new BullMQAdapter(q)),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'Lamton' } },
    });
    await app.register(async (scope) => {
      scope.addHook('onRequest', async (req, reply) => {
        const actor = await sessionActor(deps, req);
        if (!actor) {
          const api = req.url.startsWith(`${QUEUE_BOARD_PATH}/api/`);
          if (api) return reply.code(401).send({ error: 'unauthorized' });
          return reply.redirect(`/admin/login?next=${encodeURIComponent(req.url)}`, 302);
        }
        if (actor.role !== 'admin') return reply.code(403).send({ error: 'forbidden' });
        if (UNSAFE.has(req.method) && !sameOrigin(req, deps.config))
          return reply.code(403).send({ error: 'forbidden', message: 'cross-site request' });
        return undefined;
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
    });
  };
}
