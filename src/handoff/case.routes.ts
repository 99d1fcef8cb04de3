import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { queryFlag } from '../lib/query-flag.js';
import { cleaned } from '../lib/clean-string.js';
import { outsideScheduleWindow } from '../lib/schedule-window.js';
import type { AccountRepo } from '../accounts/account.repo.js';
import { actorName, requireRole } from '../accounts/auth.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Outbox } from '../webhooks/outbox.js';
import type { CaseDoc } from './case.model.js';
import type { ComplaintService } from './complaints.js';
import type { HandoffService } from './handoff.service.js';
import { casesCsv } from './records.js';
import { reportRoutes } from './report.routes.js';
import { webhookEventRoutes } from '../webhooks/webhook.routes.js';

export interface CaseRoutesDeps {
  handoff: HandoffService;
  complaints: ComplaintService;
  outbox: Outbox;
  accounts: Pick<AccountRepo, 'byId'>;
  audit: AuditRepo;
  now?: () => Date;
}

const hex24 = (what: string) => z.string().regex(/^[0-9a-f]{24}$/, `expected a ${what} id`);
const idParams = z.object({ id: hex24('case') });
const LANG = z.enum(['zh-CN', 'bo']);

/** A case as the API shows it (ids as strings, dates as ISO 8601). */
export function caseView(d: CaseDoc, now: Date) {
  const waitingSince = d.firstResponseAt ? null : d.openedAt;
  return {
    id: d._id.toHexString(),
    personId: d.personId.toHexString(),
    channel: d.channel,
    language: d.language,
    reason: d.reason,
    status: d.status,
    counsellor: d.counsellorId ? { id: d.counsellorId, name: d.counsellorName } : null,
    openedAt: d.openedAt.toISOString(),
    firstResponseAt: d.firstResponseAt?.toISOString() ?? null,
    dueAt: d.dueAt?.toISOString() ?? null,
    escalatedAt: d.escalatedAt?.toISOString() ?? null,
    closedAt: d.closedAt?.toISOString() ?? null,
    closedBy: d.closedBy ?? null,
    lastPersonAt: d.lastPersonAt?.toISOString() ?? null,
    waitingMinutes:
      waitingSince && d.status !== 'closed'
        ? Math.max(0, Math.round((now.getTime() - waitingSince.getTime()) / 60_000))
        : null,
    summary: d.summary,
    rating: d.rating ?? null,
    ratingComment: d.ratingComment ?? null,
    followups: d.followups.map((f) => ({
      id: f.id,
      at: f.at.toISOString(),
      note: f.note,
      sentAt: f.sentAt?.toISOString() ?? null,
      answeredAt: f.answeredAt?.toISOString() ?? null,
    })),
  };
}

/** A case with its thread and the person's transcript (the API's and the console's view). */
export async function caseDetail(
  handoff: Pick<HandoffService, 'get' | 'thread' | 'transcript' | 'profileOf'>,
  id: string,
  now: Date,
) {
  const doc = await handoff.get(id);
  if (!doc) return null;
  const [thread, transcript, profile] = await Promise.all([
    handoff.thread(id),
    handoff.transcript(id),
    handoff.profileOf(doc.personId.toHexString()),
  ]);
  return {
    ...caseView(doc, now),
    profile,
    thread: thread.map((e) => ({
      from: e.from,
      text: e.text,
      at: e.at.toISOString(),
      mediaUrl: e.mediaUrl ?? null,
      deliveredAt: e.deliveredAt?.toISOString() ?? null,
    })),
    transcript: transcript.map((l) => ({
      from: l.from,
      text: l.text,
      at: l.at.toISOString(),
      channel: l.channel,
      ...(l.mediaUrl ? { mediaUrl: l.mediaUrl } : {}),
    })),
  };
}

/**
 * Cases, complaints, reports and the webhook outbox on the admin API (inside the admin plugin:
 * authenticated). Counsellors work cases; supervisors and administrators also see reports,
 * complaints and records; the outbox is for administrators.
 */
export function caseRoutes(deps: CaseRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    await base.register(reportRoutes(deps));
    await base.register(webhookEventRoutes({ outbox: deps.outbox, audit: deps.audit, now }));
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['cases'];
    const security = [{ bearer: [] }];
    const staff = requireRole('admin', 'supervisor', 'counsellor');
    const lead = requireRole('admin', 'supervisor');
    const notFound = { error: 'not_found', message: 'unknown case' } as const;

    app.get(
      '/api/admin/cases',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'Cases: open ones longest-waiting first (status=waiting), or by status',
          querystring: z.object({
            status: z.enum(['waiting', 'open', 'assigned', 'active', 'closed']).default('waiting'),
            lang: LANG.optional(),
            mine: queryFlag,
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
        },
      },
      async (req) => {
        const q = req.query;
        const items = await deps.handoff.list({
          status: q.status,
          ...(q.lang ? { lang: q.lang } : {}),
          ...(q.mine && req.actor ? { counsellorId: req.actor.id } : {}),
          limit: q.limit,
        });
        const at = now();
        return { items: items.map((d) => caseView(d, at)) };
      },
    );

    app.get(
      '/api/admin/cases/:id',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'A case: summary, its thread and the transcript',
          params: idParams,
        },
      },
      async (req, reply) => {
        const detail = await caseDetail(deps.handoff, req.params.id, now());
        return detail ?? reply.code(404).send(notFound);
      },
    );

    app.post(
      '/api/admin/cases/:id/reply',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'Reply to the person in their chat (as the signed-in counsellor)',
          params: idParams,
          body: z
            .object({ text: cleaned(z.string().trim().min(1, 'required').max(4000)) })
            .strict(),
        },
      },
      async (req, reply) => {
        const actor = req.actor;
        const account = actor ? await deps.accounts.byId(actor.id) : null;
        const by = actor ? { id: actor.id, name: account?.displayName ?? actor.username } : null;
        const r = await deps.handoff.reply(req.params.id, req.body.text, by, now());
        if (r === 'unknown') return reply.code(404).send(notFound);
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'case.reply',
          target: `case:${req.params.id}`,
        });
        return { ok: true };
      },
    );

    app.post(
      '/api/admin/cases/:id/close',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'Close the case (the person is asked to rate it)',
          params: idParams,
        },
      },
      async (req, reply) => {
        const r = await deps.handoff.close(req.params.id, 'counsellor', now());
        if (r === 'unknown') return reply.code(404).send(notFound);
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'case.close',
          target: `case:${req.params.id}`,
        });
        return { ok: true, alreadyClosed: r === 'already' };
      },
    );

    app.post(
      '/api/admin/cases/:id/followups',
      {
        onRequest: staff,
        schema: {
          tags,
          security,
          summary: 'Schedule a follow-up check-in (quiet hours hold it)',
          params: idParams,
          body: z
            .object({
              at: z.iso.datetime({ offset: true }),
              note: cleaned(z.string().trim().max(1000)).default(''),
            })
            .strict(),
        },
      },
      async (req, reply) => {
        const at = new Date(req.body.at);
        const outside = outsideScheduleWindow(at, now());
        if (outside)
          return reply
            .code(400)
            .send({ error: 'validation', details: [{ path: 'at', message: outside }] });
        const r = await deps.handoff.scheduleFollowup(req.params.id, at, req.body.note, now());
        if (r === 'unknown') return reply.code(404).send(notFound);
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'case.followup',
          target: `case:${req.params.id}`,
        });
        return reply.code(201).send({ id: r, at: at.toISOString() });
      },
    );

    app.get(
      '/api/admin/people/:id/cases',
      {
        onRequest: lead,
        schema: {
          tags,
          security,
          summary: 'A person’s case history (standard 7.1(6)), as JSON or CSV',
          params: z.object({ id: hex24('person') }),
          querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
        },
      },
      async (req, reply) => {
        const docs = await deps.handoff.list({ personId: req.params.id, limit: 1000 });
        const at = now();
        const withThreads = await Promise.all(
          docs.map(async (d) => ({
            ...caseView(d, at),
            thread: (await deps.handoff.thread(d._id.toHexString())).map((e) => ({
              from: e.from,
              text: e.text,
              at: e.at.toISOString(),
              mediaUrl: e.mediaUrl ?? null,
            })),
          })),
        );
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'case.export',
          target: `person:${req.params.id}`,
        });
        if (req.query.format === 'csv')
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="cases-${req.params.id}.csv"`)
            .send(casesCsv(withThreads));
        return { personId: req.params.id, cases: withThreads };
      },
    );
  };
}
