import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Bearer-token check for the admin API (`ADMIN_TOKEN` is the first administrator's token;
 * accounts with roles arrive with the admin pages). Use as a route group's onRequest hook.
 */
export function bearerAuth(token: string | undefined) {
  const expected = token ? Buffer.from(token) : null;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const got = Buffer.from(m?.[1] ?? '');
    if (!expected || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    }
  };
}
