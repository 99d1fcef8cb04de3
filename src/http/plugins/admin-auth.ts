import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Bearer-token check against fixed tokens (`/metrics`; the admin API authenticates accounts with
 * `accounts/auth.ts`). Use as a route group's onRequest hook.
 */
export function bearerAuth(...tokens: (string | undefined)[]) {
  const expected = tokens.filter((t): t is string => !!t).map((t) => Buffer.from(t));
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!matches(expected, m?.[1]))
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
  };
}

/**
 * The same check for pages a browser opens (the API docs): HTTP Basic with the token as the
 * password (any user name), or the bearer token; the browser asks for it on a 401. `allow`
 * lets a request in on other grounds (a logged-in session of the right role).
 */
export function pageAuth(
  token: string | undefined,
  realm: string,
  /** true: let in; 'forbidden': someone logged in whose role may not (403, no login box). */
  allow?: (req: FastifyRequest) => Promise<boolean | 'forbidden'>,
) {
  const expected = token ? [Buffer.from(token)] : [];
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const verdict = allow ? await allow(req) : false;
    if (verdict === true) return;
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
    const password = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':')
      : undefined;
    if (matches(expected, bearer ?? password)) return;
    if (verdict === 'forbidden') await reply.code(403).send({ error: 'forbidden' });
    else
      await reply
        .code(401)
        .header('www-authenticate', `Basic realm="${realm}", charset="UTF-8"`)
        .send({ error: 'unauthorized' });
  };
}

function matches(expected: Buffer[], given: string | undefined): boolean {
  const got = Buffer.from(given ?? '');
  // Every token is compared (timing-safe), so the time says nothing about which one matched.
  let ok = false;
  for (const e of expected) if (got.length === e.length && timingSafeEqual(got, e)) ok = true;
  return ok;
}
