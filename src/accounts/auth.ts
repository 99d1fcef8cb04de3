import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Account, AccountRepo } from './account.repo.js';
import { ADMIN_COOKIE, type AdminSessionStore } from './admin-session.store.js';
import type { Role } from './role.js';

export type { Role } from './role.js';

/** Who is acting: the account behind a bearer token or an admin session cookie. */
export interface Actor {
  id: string;
  username: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; null on routes without it. */
    actor: Actor | null;
  }
}

/** What the auth hooks need; `AppDeps` has all of it, so `authenticate(deps)` works as is. */
export interface AuthDeps {
  accounts: Pick<AccountRepo, 'byId' | 'byToken' | 'ensure'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  config: Pick<Config, 'ADMIN_TOKEN' | 'PUBLIC_URL'>;
  now?: () => Date;
}

/** The account `ADMIN_TOKEN` belongs to (ensured at start when the token is set). */
export const ADMIN_USERNAME = 'admin';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Adds `request.actor` (null until `authenticate` sets it). buildApp calls it once. */
export function registerActor(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('actor')) app.decorateRequest('actor', null);
}

/**
 * onRequest hook for API routes: `Authorization: Bearer <account token | ADMIN_TOKEN>` or the
 * admin session cookie sets `request.actor`. Missing, invalid, or a disabled account → 401
 * `{error:'unauthorized'}` with `www-authenticate: Bearer`. A cookie-authenticated POST, PUT,
 * PATCH or DELETE whose Origin (or Referer) is another site → 403 (CSRF; the cookie is
 * SameSite=Strict as well).
 */
export function authenticate(deps: AuthDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { actor, via } = await identify(deps, req);
    if (!actor) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
      return;
    }
    if (via === 'cookie' && UNSAFE_METHODS.has(req.method) && !sameOrigin(req, deps.config)) {
      req.log.warn({ actor: actor.username }, 'cross-site request with the admin cookie refused');
      await reply.code(403).send({ error: 'forbidden', message: 'cross-site request' });
      return;
    }
    req.actor = actor;
  };
}

/**
 * Hook that lets only the listed roles through: 403 `{error:'forbidden'}` otherwise (401 when
 * no actor). Runs after `authenticate`: as a route's `preHandler`, or as its `onRequest` (route
 * hooks run after the group's), which refuses before the body is even read.
 */
export function requireRole(...roles: Role[]) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!req.actor) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
      return;
    }
    if (!roles.includes(req.actor.role)) await reply.code(403).send({ error: 'forbidden' });
  };
}

/** The acting account's user name, for the audit log. */
export function actorName(req: FastifyRequest): string {
  return req.actor?.username ?? 'unknown';
}

/** The actor of a live admin session cookie (pages, /docs), or null. Never a bearer token. */
export async function sessionActor(
  deps: { accounts: Pick<AccountRepo, 'byId'>; adminSessions: Pick<AdminSessionStore, 'get'> },
  req: FastifyRequest,
): Promise<Actor | null> {
  const sid = req.cookies[ADMIN_COOKIE];
  const accountId = sid ? await deps.adminSessions.get(sid) : null;
  return accountId ? active(await deps.accounts.byId(accountId)) : null;
}

/**
 * Whether a browser request comes from our own pages: its Origin (else Referer), when sent,
 * names this host (or PUBLIC_URL's). Browsers send Origin on every cross-site POST.
 */
export function sameOrigin(req: FastifyRequest, config: Pick<Config, 'PUBLIC_URL'>): boolean {
  const from = req.headers.origin ?? req.headers.referer;
  if (from === undefined) return true;
  const host = hostOf(from);
  if (!host) return false;
  const ours = [
    hostOf(`${req.protocol}://${req.host}`),
    config.PUBLIC_URL && hostOf(config.PUBLIC_URL),
  ];
  return ours.includes(host);
}

async function identify(
  deps: AuthDeps,
  req: FastifyRequest,
): Promise<{ actor: Actor | null; via: 'bearer' | 'cookie' | null }> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== undefined) {
    const now = deps.now?.() ?? new Date();
    const account = isAdminToken(deps.config.ADMIN_TOKEN, bearer)
      ? await deps.accounts.ensure(ADMIN_USERNAME, 'admin', now)
      : await deps.accounts.byToken(bearer, now);
    return { actor: active(account), via: 'bearer' };
  }
  const actor = await sessionActor(deps, req);
  return { actor, via: actor ? 'cookie' : null };
}

function active(account: Account | null): Actor | null {
  if (!account || account.disabled) return null;
  return { id: account.id, username: account.username, role: account.role };
}

function isAdminToken(expected: string | undefined, given: string): boolean {
  if (!expected) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}
