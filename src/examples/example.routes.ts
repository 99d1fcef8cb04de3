import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorName, requireRole } from '../accounts/auth.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import { TOPICS } from '../knowledge/card.schema.js';
import { normalizeInput } from '../lib/normalize.js';
import { hasPersonalNumber } from '../lib/personal-number.js';
import { detectScript } from '../lib/script.js';
import type { LiveKnowledge } from '../policy-cards/live-knowledge.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import type { ExampleRepo } from './example.repo.js';

export interface ExampleRoutesDeps {
  examples: ExampleRepo;
  questions: Pick<QuestionRepo, 'markTaught'>;
  knowledge: Pick<LiveKnowledge, 'publishChange'>;
  audit: AuditRepo;
  now?: () => Date;
}

const objectId = z.string().regex(/^[0-9a-f]{24}$/);

const page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: objectId.optional(),
});

/**
 * Admin API for taught examples: questions as people really ask them, labelled with the topic
 * that should answer (or `none`). The classifier of every process retrains on a change, so an
 * unanswered question taught here is answered from then on. Registered inside the admin plugin.
 */
export function exampleRoutes(deps: ExampleRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['policy cards'];
    const security = [{ bearer: [] }];
    const read = requireRole('admin', 'supervisor');
    const write = requireRole('admin');

    app.post(
      '/api/admin/examples',
      {
        onRequest: write,
        schema: {
          tags,
          security,
          summary:
            'Teach a way of asking: the text as people wrote it (names and numbers removed) and the topic that should answer it, or none. `questionId` takes that question off the unanswered list.',
          body: z.object({
            lang: z.enum(['zh-CN', 'bo']),
            text: z.string().min(1).max(2000),
            topic: z.enum([...TOPICS, 'none']),
            questionId: objectId.optional(),
          }),
        },
      },
      async (req, reply) => {
        const { questionId, text: raw, ...example } = req.body;
        const text = normalizeInput(raw);
        if (text.length === 0 || text.length > 1000)
          return reply.code(400).send({
            error: 'validation',
            details: [{ path: 'text', message: 'must be 1–1000 characters of text' }],
          });
        // An example teaches its language: Chinese text under zh-CN, Tibetan letters under bo.
        if (!inLanguage(text, example.lang))
          return reply.code(400).send({
            error: 'validation',
            details: [
              {
                path: 'text',
                message: example.lang === 'bo' ? 'expected Tibetan text' : 'expected Chinese text',
              },
            ],
          });
        // Examples ship with the code: no person's phone or ID number in them.
        if (hasPersonalNumber(text))
          return reply.code(400).send({
            error: 'validation',
            details: [
              {
                path: 'text',
                message: 'remove the phone or ID number: examples ship with the code',
              },
            ],
          });
        const saved = await deps.examples.add({
          ...example,
          text,
          ...(questionId ? { questionId } : {}),
          at: now(),
        });
        if (saved === 'duplicate')
          return reply
            .code(409)
            .send({ error: 'conflict', message: 'this text is already an example' });
        if (questionId) await deps.questions.markTaught(questionId);
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'example.add',
          target: `example:${saved.id}`,
          details: { topic: saved.topic, lang: saved.lang },
        });
        await deps.knowledge.publishChange();
        return reply.code(201).send(saved);
      },
    );

    app.get(
      '/api/admin/examples',
      {
        onRequest: read,
        schema: {
          tags,
          security,
          summary: 'Taught examples, newest first (the shipped ones are in knowledge/examples)',
          querystring: page,
        },
      },
      async (req) =>
        deps.examples.list({
          limit: req.query.limit,
          ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
        }),
    );

    app.get(
      '/api/admin/examples.jsonl',
      {
        onRequest: read,
        schema: {
          tags,
          security,
          summary:
            'Every taught example as JSON lines in the knowledge/examples format, to ship with the next release',
        },
      },
      async (_req, reply) => {
        const { items } = await deps.examples.list({ limit: 100_000 });
        const lines = items
          .reverse()
          .map((e) =>
            JSON.stringify({ id: `admin-${e.id}`, lang: e.lang, text: e.text, topic: e.topic }),
          );
        return reply
          .type('application/x-ndjson; charset=utf-8')
          .send(lines.map((l) => `${l}\n`).join(''));
      },
    );

    app.delete(
      '/api/admin/examples/:id',
      { onRequest: write, schema: { tags, security, params: z.object({ id: objectId }) } },
      async (req, reply) => {
        if (!(await deps.examples.remove(req.params.id)))
          return reply.code(404).send({ error: 'not_found' });
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'example.remove',
          target: `example:${req.params.id}`,
        });
        await deps.knowledge.publishChange();
        return reply.code(204).send();
      },
    );
  };
}

/** Mostly Tibetan letters (a base letter, not only marks) for bo; not mostly Tibetan for zh-CN. */
function inLanguage(text: string, lang: 'zh-CN' | 'bo'): boolean {
  return lang === 'bo'
    ? /[\u0F40-\u0F6C]/u.test(text) && detectScript(text) === 'bo'
    : detectScript(text) !== 'bo';
}
