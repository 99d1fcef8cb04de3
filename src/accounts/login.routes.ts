import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import type { AccountRepo } from './account.repo.js';
import { usernameSchema } from './account.schema.js';
import { loadAdminPages, type AdminStrings, type LoginProblem } from './admin-pages.js';
import { ADMIN_COOKIE, type AdminSessionStore } from './admin-session.store.js';
import { sameOrigin, sessionActor } from './auth.js';
import { createLoginLimiter, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-limit.js';
import { DUMMY_HASH, MAX_PASSWORD_LENGTH, verifyPassword } from './password.js';

export interface LoginRoutesDeps {
  accounts: Pick<AccountRepo, 'credentials' | 'byId'>;
  adminSessions: AdminSessionStore;
  audit: AuditRepo;
  redis: Redis;
  prefix: string;
  /** locales/<lang>/admin.json */
  strings: AdminStrings;
  config: Pick<Config, 'PUBLIC_URL'>;
  loginLimits?: Partial<LoginLimits>;
  now?: () => Date;
}

const loginBody = z.object({
  username: z.string().max(200),
  password: z.string().max(MAX_PASSWORD_LENGTH),
  next: z.string().max(512).optional(),
});

/**
 * The admin pages: `GET /admin/login` (the form), `POST /admin/login` (form-urlencoded or JSON;
 * a session in Redis and the `lamton_admin` cookie, then a redirect to a local `next`),
 * `POST /admin/logout`, and `GET /admin` (the landing page, or a redirect to the login).
 * Failed logins lock a user name (5 in 15 minutes) and an address (20); all are audited.
 */
export function loginRoutes(deps: LoginRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  const limiter = createLoginLimiter(deps.redis, deps.prefix, {
    ...DEFAULT_LOGIN_LIMITS,
    ...deps.loginLimits,
  });
  const secure = deps.config.PUBLIC_URL?.startsWith('https:') ?? false;
  const audit = (
    actor: string,
    action: string,
    target: string,
    details?: Record<string, unknown>,
  ) => deps.audit.record({ at: now(), actor, action, target, ...(details ? { details } : {}) });

  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const pages = await loadAdminPages(deps.strings);
    // The login form posts form-urlencoded; only this plugin's routes parse it.
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    const html = (reply: FastifyReply, code: number, body: string) =>
      reply.code(code).headers(pages.headers).send(body);

    app.get(
      '/admin/login',
      { schema: { hide: true, querystring: z.object({ next: z.string().max(512).optional() }) } },
      async (req, reply) => html(reply, 200, pages.login({ next: localPath(req.query.next) })),
    );

    app.post('/admin/login', { schema: { hide: true } }, async (req, reply) => {
      const json = /^application\/json\b/i.test(req.headers['content-type'] ?? '');
      if (!sameOrigin(req, deps.config)) return reply.code(403).send({ error: 'forbidden' });
      const body = loginBody.safeParse(req.body);
      const next = localPath(body.success ? body.data.next : undefined);
      const refuse = (code: number, problem: LoginProblem, username?: string) =>
        json
          ? reply
              .code(code)
              .send({ error: code === 429 ? 'rate_limited' : 'unauthorized', reason: problem })
          : html(reply, code, pages.login({ next, problem, ...(username ? { username } : {}) }));

      const name = usernameSchema.safeParse(body.success ? body.data.username : '');
      const username = body.success && name.success ? name.data : null;
      // Counted before the password is checked (a burst of guesses gets no more checks).
      const verdict = await limiter.attempt(username, req.ip);
      if (verdict.kind === 'tooMany') {
        reply.header('retry-after', String(verdict.retryAfterSec));
        return refuse(429, 'tooMany');
      }
      if (!body.success || username === null) return refuse(401, 'failed');
      if (verdict.kind === 'locked') {
        await audit(username, 'account.login_failed', `account:${username}`, {
          ip: req.ip,
          reason: 'locked',
        });
        return refuse(401, 'locked', username);
      }
      const found = await deps.accounts.credentials(username);
      // Verified against a dummy hash when there is no account: the time says nothing.
      const matches = await verifyPassword(body.data.password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !found.passwordHash || !matches || found.account.disabled) {
        const locked = await limiter.failed(username);
        await audit(username, 'account.login_failed', `account:${username}`, { ip: req.ip });
        if (locked) await audit(username, 'account.locked', `account:${username}`, { ip: req.ip });
        return refuse(401, locked ? 'locked' : 'failed', username);
      }
      await limiter.succeeded(username, req.ip);
      const sid = await deps.adminSessions.create(found.account.id);
      reply.setCookie(ADMIN_COOKIE, sid, { httpOnly: true, sameSite: 'strict', path: '/', secure });
      await audit(username, 'account.login', `account:${username}`, { ip: req.ip });
      return reply.code(303).header('location', next).send();
    });

    app.post('/admin/logout', { schema: { hide: true } }, async (req, reply) => {
      if (!sameOrigin(req, deps.config)) return reply.code(403).send({ error: 'forbidden' });
      const sid = req.cookies[ADMIN_COOKIE];
      if (sid) {
        const actor = await sessionActor(deps, req);
        await deps.adminSessions.destroy(sid);
        if (actor) await audit(actor.username, 'account.logout', `account:${actor.username}`);
      }
      reply.clearCookie(ADMIN_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure });
      return reply.code(303).header('location', '/admin/login').send();
    });

    app.get('/admin', { schema: { hide: true } }, async (req, reply) => {
      const actor = await sessionActor(deps, req);
      if (!actor) return reply.code(303).header('location', '/admin/login').send();
      return html(reply, 200, pages.home(actor));
    });
  };
}

/** A path on this site to go to after the login: `/…` but never `//…` (another host). */
export function localPath(next: string | undefined): string {
  if (!next || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return '/admin';
  return next;
}
