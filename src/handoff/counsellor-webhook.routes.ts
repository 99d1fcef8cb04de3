import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { cleaned } from '../lib/clean-string.js';
import { outsideScheduleWindow } from '../lib/schedule-window.js';
import { runOnce } from '../lib/once.js';
import { createSigner, type WebhookSigner } from '../webhooks/signing.js';
import type { ComplaintService } from './complaints.js';
import type { HandoffService } from './handoff.service.js';

export interface CounsellorWebhookDeps {
  /** `COUNSELLOR_WEBHOOK_SECRET`; unset: every call is refused (401). */
  secret: string | undefined;
  redis: Redis;
  prefix: string;
  handoff: HandoffService;
  complaints: ComplaintService;
  now?: () => Date;
}

/** Any id the office sends: one this service never gave out is an unknown case (404). */
const caseId = z.string().trim().min(1).max(100);
const text = cleaned(z.string().trim().min(1).max(4000));
/** ISO 8601 with an offset (`2026-12-07T10:00:00+08:00` or `…Z`). */
const isoWithOffset = z
  .string()
  .regex(
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/,
    'expected ISO 8601 with an offset',
  );

const dataSchemas = {
  'counsellor.reply': z.object({
    caseId,
    text,
    counsellor: z
      .object({
        id: z.string().max(100).optional(),
        name: cleaned(z.string().trim().min(1).max(60)),
      })
      .optional(),
  }),
  'case.closed': z.object({ caseId }),
  'followup.schedule': z.object({
    caseId,
    at: isoWithOffset,
    note: cleaned(z.string().max(1000)).default(''),
  }),
  'complaint.resolved': z.object({
    ticketId: z.string().trim().min(1).max(100),
    outcome: text,
    language: z.enum(['zh-CN', 'bo']).optional(),
  }),
} as const;
type InboundType = keyof typeof dataSchemas;

/** A handled call's answer, kept under its `webhook-id` (a repeat gets it, nothing is redone). */
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * POST /webhooks/counsellor (Standard Webhooks v1): the signature over the raw body (several
 * accepted, any of our keys), a 5-minute tolerance, each `webhook-id` handled once.
 * Unsigned, wrongly signed or stale → 401; bad JSON or data → 400 naming the field; unknown
 * type → 400; unknown case or ticket → 404.
 */
export function counsellorWebhookRoutes(deps: CounsellorWebhookDeps): FastifyPluginAsync {
  const signer: WebhookSigner | undefined = deps.secret ? createSigner(deps.secret) : undefined;
  const now = deps.now ?? (() => new Date());
  return async (app) => {
    // The signature covers the bytes as sent: this route keeps the body as a string.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.post(
      '/webhooks/counsellor',
      { bodyLimit: 256 * 1024, schema: { hide: true } },
      async (req, reply) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        try {
          if (!signer) throw new Error('no secret configured');
          // Each call is handled once by its id: a call without one cannot be told apart.
          const given = req.headers['webhook-id'];
          if (typeof given !== 'string' || given.trim() === '') throw new Error('no webhook-id');
          signer.verify(raw, req.headers);
        } catch {
          return reply
            .code(401)
            .send({ error: 'unauthorized', message: 'missing, wrong or stale signature' });
        }
        const id = String(req.headers['webhook-id']);
        const result = await runOnce(
          deps.redis,
          `${deps.prefix}whin:${id}`,
          async () => JSON.stringify(await handle(raw)),
          { leaseSec: 10, doneTtlSec: 7 * 86_400, waitMs: 5_000 },
        );
        if (result.status === 'in_progress')
          return reply
            .code(503)
            .header('retry-after', '5')
            .send({ error: 'unavailable', message: 'being handled' });
        const answer = JSON.parse(result.body) as Answer;
        return reply
          .code(answer.status)
          .send(result.ran ? answer.body : { ...answer.body, duplicate: true });
      },
    );
  };

  async function handle(raw: string): Promise<Answer> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return bad('', 'expected a JSON body');
    }
    const envelope = z.object({ type: z.string(), data: z.unknown() }).safeParse(body);
    if (!envelope.success) return bad('type', 'expected {"type", "timestamp", "data"}');
    const type = envelope.data.type;
    if (!Object.hasOwn(dataSchemas, type))
      return {
        status: 400,
        body: { error: 'validation', details: [{ path: 'type', message: `unknown type ${type}` }] },
      };
    const parsed = dataSchemas[type as InboundType].safeParse(envelope.data.data ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return bad(['data', ...(issue?.path ?? [])].join('.'), issue?.message ?? 'invalid');
    }
    const at = now();
    const data = parsed.data as Record<string, unknown>;
    switch (type as InboundType) {
      case 'counsellor.reply': {
        const d = data as z.infer<(typeof dataSchemas)['counsellor.reply']>;
        const by = d.counsellor
          ? { id: d.counsellor.id ?? `external:${d.counsellor.name}`, name: d.counsellor.name }
          : null;
        const r = await deps.handoff.reply(d.caseId, d.text, by, at);
        return r === 'unknown' ? notFound('case') : ok();
      }
      case 'case.closed': {
        const d = data as z.infer<(typeof dataSchemas)['case.closed']>;
        const r = await deps.handoff.close(d.caseId, 'counsellor', at);
        return r === 'unknown' ? notFound('case') : ok();
      }
      case 'followup.schedule': {
        const d = data as z.infer<(typeof dataSchemas)['followup.schedule']>;
        const when = new Date(d.at);
        const outside = outsideScheduleWindow(when, at);
        if (outside) return bad('data.at', outside);
        const r = await deps.handoff.scheduleFollowup(d.caseId, when, d.note, at);
        return r === 'unknown' ? notFound('case') : ok({ followupId: r });
      }
      case 'complaint.resolved': {
        const d = data as z.infer<(typeof dataSchemas)['complaint.resolved']>;
        const r = await deps.complaints.resolve(d.ticketId, d.outcome, at);
        return r === 'unknown' ? notFound('ticket') : ok();
      }
    }
  }
}

const ok = (extra: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { ok: true, ...extra },
});
const notFound = (what: string): Answer => ({
  status: 404,
  body: { error: 'not_found', message: `unknown ${what}` },
});
const bad = (path: string, message: string): Answer => ({
  status: 400,
  body: { error: 'validation', details: [{ path, message }] },
});
