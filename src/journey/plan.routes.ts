import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorName, requireRole } from '../accounts/auth.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { PlanStepDoc } from '../people/person.model.js';
import { PLAN_TEXT_MAX, planLine } from './plan.format.js';
import type { PlanService } from './plan.service.js';

export interface PlanRoutesDeps {
  plans: PlanService;
  audit: Pick<AuditRepo, 'record'>;
  now?: () => Date;
}

/** The furthest ahead a counsellor may date a step. */
const MAX_AHEAD_MS = 2 * 365 * 86_400_000;

/** A step as the API shows it (dates as ISO 8601). */
export function stepView(s: PlanStepDoc) {
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    id: s.id,
    text: s.text,
    due: new Date(s.due).toISOString(),
    done: Boolean(s.doneAt),
    doneAt: iso(s.doneAt),
    remindedAt: iso(s.remindedAt),
    notYetAt: iso(s.notYetAt),
    by: s.by,
    createdBy: s.createdBy ?? null,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

/**
 * A person's action plan on the admin API (standard 7.1(4)), for counsellors, supervisors and
 * administrators (inside the admin plugin: authenticated): read it, add a step (its reminder
 * goes at `due`, quiet hours hold it), mark one done. Changes are audited with the account.
 */
export function planRoutes(deps: PlanRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['plan'];
    const security = [{ bearer: [] }];
    const staff = requireRole('admin', 'supervisor', 'counsellor');
    // A malformed id is an unknown one (404), as everywhere on the admin API.
    const params = z.object({ id: z.string().max(64) });
    const stepParams = z.object({ id: z.string().max(64), stepId: z.string().max(64) });
    const person = /^[0-9a-f]{24}$/;
    const unknownPerson = (reply: FastifyReply) =>
      reply.code(404).send({ error: 'not_found', message: 'unknown person' });
    const bad = (reply: FastifyReply, path: string, message: string) =>
      reply.code(400).send({ error: 'validation', details: [{ path, message }] });
    const audit = (actor: string, action: string, personId: string, stepId: string) =>
      deps.audit.record({
        at: now(),
        actor,
        action,
        target: `person:${personId}`,
        details: { stepId },
      });

    app.get(
      '/api/admin/people/:id/plan',
      {
        onRequest: staff,
        schema: { tags, security, summary: 'A person’s action plan: open steps first', params },
      },
      async (req, reply) => {
        const steps = person.test(req.params.id) ? await deps.plans.list(req.params.id) : null;
        if (!steps) return unknownPerson(reply);
        return { items: steps.map(stepView) };
      },
    );

    app.post(
      '/api/admin/people/:id/plan',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'Add a step (the person is reminded at `due`; quiet hours hold it)',
          params,
          body: z
            .object({
              text: z.string().max(PLAN_TEXT_MAX * 4),
              due: z.iso.datetime({ offset: true }),
            })
            .strict(),
        },
      },
      async (req, reply) => {
        if (!person.test(req.params.id)) return unknownPerson(reply);
        const text = planLine(req.body.text);
        if (text.length === 0) return bad(reply, 'text', 'empty');
        if (text.length > PLAN_TEXT_MAX)
          return bad(reply, 'text', `longer than ${PLAN_TEXT_MAX} characters`);
        const due = new Date(req.body.due);
        const at = now();
        if (due.getTime() < at.getTime() - 60_000) return bad(reply, 'due', 'in the past');
        if (due.getTime() > at.getTime() + MAX_AHEAD_MS)
          return bad(reply, 'due', 'more than two years ahead');
        const out = await deps.plans.add(
          req.params.id,
          { text, due, by: 'counsellor', createdBy: actorName(req) },
          at,
        );
        switch (out.kind) {
          case 'unknown':
            return unknownPerson(reply);
          case 'empty':
            return bad(reply, 'text', 'empty');
          case 'no-consent':
            return reply
              .code(409)
              .send({ error: 'conflict', message: 'the person has not consented to a profile' });
          case 'full':
            return reply
              .code(409)
              .send({ error: 'conflict', message: 'the person has 10 open steps already' });
          case 'added':
            await audit(actorName(req), 'plan.add', req.params.id, out.step.id);
            return reply.code(201).send(stepView(out.step));
        }
      },
    );

    app.patch(
      '/api/admin/people/:id/plan/:stepId',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'Mark a step done',
          params: stepParams,
          body: z.object({ done: z.literal(true) }).strict(),
        },
      },
      async (req, reply) => {
        if (!person.test(req.params.id)) return unknownPerson(reply);
        const out = await deps.plans.done(req.params.id, req.params.stepId, now());
        if (out.kind === 'unknown')
          return reply.code(404).send({ error: 'not_found', message: 'unknown step' });
        if (out.kind === 'done')
          await audit(actorName(req), 'plan.done', req.params.id, req.params.stepId);
        return stepView(out.step);
      },
    );
  };
}
