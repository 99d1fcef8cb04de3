import type { Redis } from 'ioredis';
import { createKeyLock } from '../lib/key-lock.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorName, requireRole } from '../accounts/auth.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { FlowSet } from '../engine/flows.js';
import { cardSchema } from '../knowledge/card.schema.js';
import { createKnowledgeIndex } from '../knowledge/index.js';
import type { CardRepo, StoredCard } from './card.repo.js';
import type { LiveKnowledge } from './live-knowledge.js';
import { isStale } from './stale.js';

export interface CardRoutesDeps {
  cards: CardRepo;
  redis: Redis;
  /** Redis key prefix. */
  prefix: string;
  /** A card's `flow` must name a node that exists. */
  flows: Pick<FlowSet, 'node'>;
  knowledge: Pick<LiveKnowledge, 'publishChange'>;
  audit: AuditRepo;
  now?: () => Date;
  /** Cards not reviewed for longer than this are flagged as stale (days). */
  staleAfterDays?: number;
}

const idParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,58}$/) });

/**
 * Admin API for policy cards: list (with stale flags), read, edit, retire and restore. Every
 * change is audited and published so every web process reloads its index without a restart.
 * Registered inside the admin plugin (authenticated): administrators and supervisors read,
 * administrators change.
 */
export function cardRoutes(deps: CardRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  // One save of a card at a time: the version check is a compare-and-set only under it.
  const lock = createKeyLock(deps.redis, deps.prefix, 'card');
  const view = (s: StoredCard) => ({
    ...s,
    stale: !s.invalid && isStale(s.card.reviewedAt, now(), deps.staleAfterDays),
  });

  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['policy cards'];
    const security = [{ bearer: [] }];
    const read = requireRole('admin', 'supervisor');
    const write = requireRole('admin');

    app.get(
      '/api/admin/cards',
      {
        onRequest: read,
        schema: {
          tags,
          security,
          summary: 'List policy cards; `stale` marks cards past their review period',
          querystring: z.object({
            includeRetired: z.enum(['true', 'false']).optional(),
            stale: z.enum(['true', 'false']).optional(),
          }),
        },
      },
      async (req) => {
        const all = (
          await deps.cards.list({ includeRetired: req.query.includeRetired === 'true' })
        ).map(view);
        const items = req.query.stale === 'true' ? all.filter((c) => c.stale) : all;
        return { items, stale: all.filter((c) => c.stale).length };
      },
    );

    app.get(
      '/api/admin/cards/:id',
      { onRequest: read, schema: { tags, security, params: idParams } },
      async (req, reply) => {
        const card = await deps.cards.get(req.params.id);
        return card ? view(card) : reply.code(404).send({ error: 'not_found' });
      },
    );

    app.put(
      '/api/admin/cards/:id',
      {
        onRequest: write,
        schema: {
          tags,
          security,
          summary: 'Create or replace a card (both languages, source and review date required)',
          params: idParams,
          querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
          body: cardSchema,
        },
      },
      async (req, reply) => {
        if (req.body.id !== req.params.id) {
          return reply.code(400).send({
            error: 'validation',
            details: [{ path: 'id', message: 'must match the URL' }],
          });
        }
        if (req.body.flow !== undefined && !deps.flows.node(req.body.flow))
          return reply.code(400).send({
            error: 'validation',
            details: [{ path: 'flow', message: 'no such flow node' }],
          });
        // A card the index cannot take is refused here, not discovered at the next reload.
        try {
          createKnowledgeIndex([req.body]).decide(req.body.title['zh-CN'], 'zh-CN');
        } catch {
          return reply.code(400).send({
            error: 'validation',
            details: [{ path: '', message: 'the card cannot be indexed' }],
          });
        }
        const saved = await lock.run(req.body.id, () =>
          deps.cards.save(req.body, actorName(req), now(), req.query.version),
        );
        if (saved === 'conflict')
          return reply.code(409).send({ error: 'conflict', message: 'the card changed meanwhile' });
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'card.save',
          target: `card:${req.params.id}`,
          details: { version: saved.version },
        });
        await deps.knowledge.publishChange();
        return view(saved);
      },
    );

    for (const [path, retired] of [
      ['retire', true],
      ['restore', false],
    ] as const) {
      app.post(
        `/api/admin/cards/:id/${path}`,
        { onRequest: write, schema: { tags, security, params: idParams } },
        async (req, reply) => {
          const saved = await lock.run(req.params.id, () =>
            deps.cards.setRetired(req.params.id, retired, actorName(req), now()),
          );
          if (!saved) return reply.code(404).send({ error: 'not_found' });
          await deps.audit.record({
            at: now(),
            actor: actorName(req),
            action: `card.${path}`,
            target: `card:${req.params.id}`,
          });
          await deps.knowledge.publishChange();
          return view(saved);
        },
      );
    }
  };
}
