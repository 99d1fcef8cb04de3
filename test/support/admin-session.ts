import type { LightMyRequestResponse } from 'fastify';

/** The admin session cookie a login response set, as a `cookie` header value. */
export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((k) => k.name === 'lamton_admin');
  if (!c?.value) throw new Error(`no session cookie (status ${res.statusCode})`);
  return `lamton_admin=${c.value}`;
}
