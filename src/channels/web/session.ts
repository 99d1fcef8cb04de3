import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'lamton_sid';
const ONE_YEAR_SEC = 365 * 24 * 60 * 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The anonymous web session id: read from the signed `lamton_sid` cookie, or made and set when
 * absent or tampered with. Needs @fastify/cookie registered with a secret.
 */
export function ensureSession(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readSession(request);
  if (existing) return existing;
  const sid = randomUUID();
  reply.setCookie(SESSION_COOKIE, sid, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: ONE_YEAR_SEC,
  });
  return sid;
}

/** The session id of a valid signed cookie, or null (never sets a cookie). */
export function readSession(request: FastifyRequest): string | null {
  const raw = request.cookies[SESSION_COOKIE];
  if (raw === undefined) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value !== null && isSessionId(unsigned.value)
    ? unsigned.value
    : null;
}

/** Whether `value` has the shape of a session id (the web chat's `chatId`). */
export function isSessionId(value: string): boolean {
  return UUID.test(value);
}
