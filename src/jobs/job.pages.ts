import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import { sameOrigin } from '../accounts/auth.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { readGlossary } from '../glossary.js';
import {
  findUp,
  pageGate,
  pageQuery,
  sendHtml,
  serveAssets,
  type PageAsset,
} from '../http/page-kit.js';
import type { Lang } from '../messaging/lang.js';
import { issueDetails, jobBody, JOB_STATUSES } from './job.schema.js';
import type { JobService } from './job.service.js';
import { FORM_FIELDS, JOBS_CSS, jobViews, type FormField } from './job.views.js';

export interface JobPagesDeps {
  service: Pick<JobService, 'list' | 'create' | 'close'>;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  config: Pick<Config, 'PUBLIC_URL'>;
  /** locales/<lang>/jobs.json, flat. */
  strings: (lang: Lang) => Record<string, string>;
  now?: () => Date;
}

const ID = /^[0-9a-f]{24}$/i;
const ROLES = ['admin', 'supervisor'] as const;

/**
 * `/admin/jobs` for administrators and supervisors (admin session; none: to the login; other
 * roles: 403), in one language (`?lang=`, else Accept-Language, else Chinese): the form to post
 * a job and the postings with their status and reach. The form and each posting's close button
 * are plain form posts (`POST /admin/jobs`, `POST /admin/jobs/:id/close`), checked here for the
 * same origin as the admin API checks a cookie's requests, and by the API's own rules; a
 * success redirects back to the list (303), a problem shows the form again with each field's.
 */
export function jobPages(deps: JobPagesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const glossary = readGlossary(fileURLToPath(await findUp('locales/glossary.json')));
    const css = stylesheet(
      `${await readFile(await findUp('public/admin.css'), 'utf8')}\n${JOBS_CSS}`,
    );
    const views = jobViews({
      strings: deps.strings,
      districtsBo: new Map(glossary.districts.map((d) => [d.zh, d.bo])),
      css: `/admin/assets/jobs.css?v=${css.version}`,
    });
    const gate = pageGate(deps, (ctx) => views.problem(ctx, 'forbidden'));
    const body = jobBody(now);
    // The form posts form-urlencoded; only this plugin's routes parse it.
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 128 * 1024 },
      (_req, raw, done) => done(null, new URLSearchParams(String(raw))),
    );
    const back = (reply: FastifyReply, lang: Lang, done: 'posted' | 'closed') =>
      reply.code(303).header('location', `/admin/jobs?lang=${lang}&done=${done}`).send();
    const statusOf = (s: string | undefined) => JOB_STATUSES.find((k) => k === s);

    app.get(
      '/admin/jobs',
      {
        schema: {
          hide: true,
          querystring: pageQuery.extend({
            status: z.string().max(16).optional(),
            cursor: z.string().max(64).optional(),
            done: z.string().max(16).optional(),
          }),
        },
      },
      async (req, reply) => {
        const seen = await gate(req, reply, ROLES);
        if (!seen) return reply;
        const status = statusOf(req.query.status);
        const cursor = req.query.cursor && ID.test(req.query.cursor) ? req.query.cursor : undefined;
        const { items, nextCursor } = await deps.service.list({ status }, 20, cursor);
        const notice =
          req.query.done === 'posted' || req.query.done === 'closed' ? req.query.done : undefined;
        return sendHtml(reply, 200, views.list(seen.ctx, { items, nextCursor, status, notice }));
      },
    );

    app.post(
      '/admin/jobs',
      { schema: { hide: true, querystring: pageQuery } },
      async (req, reply) => {
        const seen = await gate(req, reply, ROLES);
        if (!seen) return reply;
        const { ctx, actor } = seen;
        if (!sameOrigin(req, deps.config))
          return sendHtml(reply, 403, views.problem(ctx, 'forbidden'));
        const values = formValues(req.body);
        const parsed = body.safeParse({
          title: { 'zh-CN': values.title ?? '', bo: values.title_bo },
          employer: values.employer,
          district: values.district,
          category: values.category,
          description: { 'zh-CN': values.description ?? '', bo: values.description_bo },
          contact: values.contact,
          expiresAt: values.expiresAt,
        });
        if (!parsed.success) {
          const errors = new Map<string, string>();
          for (const d of issueDetails(parsed.error)) {
            const field = formField(d.path);
            if (!errors.has(field)) errors.set(field, views.message(ctx.lang, d.message));
          }
          const { items, nextCursor } = await deps.service.list({}, 20);
          const page = views.list(ctx, {
            items,
            nextCursor,
            status: undefined,
            form: { values, errors },
          });
          return sendHtml(reply, 400, page);
        }
        await deps.service.create(parsed.data, actor.username);
        return back(reply, ctx.lang, 'posted');
      },
    );

    app.post(
      '/admin/jobs/:id/close',
      { schema: { hide: true, querystring: pageQuery, params: z.object({ id: z.string() }) } },
      async (req, reply) => {
        const seen = await gate(req, reply, ROLES);
        if (!seen) return reply;
        const { ctx, actor } = seen;
        if (!sameOrigin(req, deps.config))
          return sendHtml(reply, 403, views.problem(ctx, 'forbidden'));
        try {
          await deps.service.close(req.params.id, actor.username);
        } catch (err) {
          if (err instanceof AppError && err.code === 'not_found')
            return sendHtml(reply, 404, views.problem(ctx, 'notFound'));
          // Closed already: what was asked for is so.
          if (!(err instanceof AppError && err.code === 'conflict')) throw err;
        }
        return back(reply, ctx.lang, 'closed');
      },
    );

    serveAssets(app, [['/admin/assets/jobs.css', css]]);
  };
}

/** The form's fields as text (empty: not given), from a form post or a JSON object. */
function formValues(raw: unknown): Partial<Record<FormField, string>> {
  const get = (name: string): unknown => {
    if (raw instanceof URLSearchParams) return raw.get(name);
    if (!raw || typeof raw !== 'object') return undefined;
    // Own properties only: `__proto__`, `constructor` and their like read as not given.
    const own: PropertyDescriptor | undefined = Object.getOwnPropertyDescriptor(raw, name);
    return own?.value;
  };
  const values: Partial<Record<FormField, string>> = {};
  for (const f of FORM_FIELDS) {
    const v = get(f);
    if (typeof v === 'string' && v.trim() !== '') values[f] = v;
  }
  return values;
}

/** The form field a problem belongs to: `title.bo` → `title_bo`, `title.zh-CN` → `title`. */
function formField(path: string): string {
  const [head = '', sub] = path.split('.');
  return (head === 'title' || head === 'description') && sub === 'bo' ? `${head}_bo` : head;
}

function stylesheet(body: string): PageAsset {
  const hash = createHash('sha256').update(body).digest('hex');
  return {
    body,
    contentType: 'text/css; charset=utf-8',
    etag: `"${hash.slice(0, 32)}"`,
    version: hash.slice(0, 12),
  };
}
