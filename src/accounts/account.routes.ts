import type { Redis } from 'ioredis';
import { createKeyLock } from '../lib/key-lock.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cleaned } from '../lib/clean-string.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { AccountRepo } from './account.repo.js';
import { languagesSchema, passwordSchema, roleSchema, usernameSchema } from './account.schema.js';
import type { AdminSessionStore } from './admin-session.store.js';
import { actorName, requireRole } from './auth.js';
import { hashPassword } from './password.js';

export interface AccountRoutesDeps {
  accounts: AccountRepo;
  audit: AuditRepo;
  redis: Redis;
  /** Redis key prefix. */
  prefix: string;
  /** A new password or a disabled account ends the account's page sessions. */
  adminSessions: Pick<AdminSessionStore, 'endAll'>;
  now?: () => Date;
}

// Any string: an unknown or malformed id is a 404, not a 400.
const idParams = z.object({ id: z.string().max(64) });

/**
 * Account management for administrators: list, create, change role / disabled / password, and
 * API tokens (shown once at creation, revocable). Registered inside the admin plugin
 * (authenticated); every route is admin-only and every change audited (never a password or token).
 */
export function accountRoutes(deps: AccountRoutesDeps): FastifyPluginAsync {
  const now = deps.now ?? (() => new Date());
  // Changes of accounts one at a time: "is another administrator left?" holds only under it
  // (two parallel PATCHes disabled the last two administrators).
  const lock = createKeyLock(deps.redis, deps.prefix, 'accounts');
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['accounts'];
    const security = [{ bearer: [] }];
    const onRequest = requireRole('admin');

    app.get(
      '/api/admin/accounts',
      {
        onRequest,
        schema: { tags, security, summary: 'Every account with its tokens (names and dates only)' },
      },
      async () => ({ items: await deps.accounts.list() }),
    );

    app.post(
      '/api/admin/accounts',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Create an account (a password of 10+ characters for the login page)',
          body: z
            .object({
              username: usernameSchema,
              role: roleSchema,
              displayName: cleaned(z.string().trim().min(1).max(100)).optional(),
              password: passwordSchema.optional(),
              languages: languagesSchema.optional(),
            })
            // An unknown field is refused, not dropped ({"disabled": true} made an enabled account).
            .strict(),
        },
      },
      async (req, reply) => {
        const { password, ...fields } = req.body;
        const saved = await deps.accounts.create(
          { ...fields, ...(password ? { passwordHash: await hashPassword(password) } : {}) },
          now(),
        );
        if (saved === 'duplicate')
          return reply.code(409).send({ error: 'conflict', message: 'this user name is taken' });
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'account.create',
          target: `account:${saved.username}`,
          details: { role: saved.role, password: !!password },
        });
        return reply.code(201).send(saved);
      },
    );

    app.patch(
      '/api/admin/accounts/:id',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Change an account: role, disabled, password, languages, display name',
          params: idParams,
          body: z
            .object({
              role: roleSchema.optional(),
              disabled: z.boolean().optional(),
              password: passwordSchema.optional(),
              languages: languagesSchema.optional(),
              displayName: cleaned(z.string().trim().min(1).max(100)).optional(),
            })
            .strict()
            .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change'),
        },
      },
      async (req, reply) => {
        const { password, ...fields } = req.body;
        const passwordHash = password ? await hashPassword(password) : undefined;
        const result = await lock.run('all', async () => {
          const current = await deps.accounts.byId(req.params.id);
          if (!current) return 'not_found' as const;
          // The last enabled administrator stays one: nobody could manage accounts otherwise.
          const losesAdmin =
            current.role === 'admin' &&
            !current.disabled &&
            ((fields.role !== undefined && fields.role !== 'admin') || fields.disabled === true);
          if (losesAdmin && (await deps.accounts.otherActiveAdmins(current.id)) === 0)
            return 'last_admin' as const;
          return deps.accounts.update(current.id, {
            ...fields,
            ...(passwordHash ? { passwordHash } : {}),
          });
        });
        if (result === 'last_admin')
          return reply
            .code(409)
            .send({ error: 'conflict', message: 'the last enabled administrator' });
        const saved = result === 'not_found' ? null : result;
        if (!saved) return reply.code(404).send({ error: 'not_found' });
        // Whoever was logged in with the old password (or as the disabled account) is out.
        if (password || fields.disabled === true) await deps.adminSessions.endAll(saved.id);
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'account.update',
          target: `account:${saved.username}`,
          details: {
            ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
            ...(password ? { password: 'changed' } : {}),
          },
        });
        return saved;
      },
    );

    app.post(
      '/api/admin/accounts/:id/tokens',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'A new API token for the account: the token is in this answer only',
          params: idParams,
          body: z.object({ name: z.string().trim().min(1).max(100) }),
        },
      },
      async (req, reply) => {
        const account = await deps.accounts.byId(req.params.id);
        const created = account
          ? await deps.accounts.addToken(account.id, req.body.name, now())
          : null;
        if (!account || !created) return reply.code(404).send({ error: 'not_found' });
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'token.create',
          target: `account:${account.username}`,
          details: { tokenId: created.id, name: req.body.name },
        });
        return reply.code(201).send({ id: created.id, token: created.token });
      },
    );

    app.delete(
      '/api/admin/accounts/:id/tokens/:tokenId',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Revoke an API token',
          params: z.object({ id: z.string().max(64), tokenId: z.string().max(64) }),
        },
      },
      async (req, reply) => {
        const account = await deps.accounts.byId(req.params.id);
        if (!account || !(await deps.accounts.revokeToken(account.id, req.params.tokenId)))
          return reply.code(404).send({ error: 'not_found' });
        await deps.audit.record({
          at: now(),
          actor: actorName(req),
          action: 'token.revoke',
          target: `account:${account.username}`,
          details: { tokenId: req.params.tokenId },
        });
        return reply.code(204).send();
      },
    );
  };
}
