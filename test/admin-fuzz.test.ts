import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

const ADMIN = 'fuzz-admin-token-0123456789abc';
const ID = '0123456789abcdef01234567';

/**
 * Bad input on the admin side never gives a 5xx: every route the API documents, and the pages and
 * hooks it does not, get hostile bodies, ids and query strings, with and without a token.
 */
describe('the admin side under hostile input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN: ADMIN, QUIET_HOURS: '00:00-00:00' }, { listen: false });
  });
  afterAll(() => t.close());

  const routes: [string, string][] = [
    ['POST', '/api/admin/campaigns'],
    ['POST', '/api/admin/campaigns/preview'],
    ['GET', '/api/admin/campaigns'],
    ['GET', `/api/admin/campaigns/${ID}`],
    ['POST', `/api/admin/campaigns/${ID}/approve`],
    ['POST', `/api/admin/campaigns/${ID}/cancel`],
    ['POST', `/api/admin/campaigns/${ID}/test`],
    ['GET', '/api/admin/accounts'],
    ['POST', '/api/admin/accounts'],
    ['PATCH', `/api/admin/accounts/${ID}`],
    ['POST', `/api/admin/accounts/${ID}/tokens`],
    ['DELETE', `/api/admin/accounts/${ID}/tokens/${ID}`],
    ['PUT', '/api/admin/cards/fuzz-card'],
    ['POST', '/api/admin/examples'],
    ['GET', '/admin/campaigns'],
    ['GET', `/admin/campaigns/${ID}`],
    ['POST', '/admin/login'],
    ['GET', `/announcements/${ID}`],
    // Pages and hooks the API docs leave out.
    ['GET', '/admin/jobs'],
    ['POST', '/admin/jobs'],
    ['POST', `/admin/jobs/${ID}/close`],
    ['GET', '/admin/reports/monthly'],
    ['POST', '/admin/logout'],
    ['GET', '/counsellor'],
    ['GET', `/counsellor/cases/${ID}`],
    ['GET', '/counsellor/reports'],
    ['GET', `/media/${ID}`],
    ['POST', '/webhooks/counsellor'],
  ];
  const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });
  const bodies: (string | undefined)[] = [
    undefined,
    '',
    '{',
    'null',
    '[]',
    '"text"',
    '12',
    '{}',
    JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: { x: 1 } } }),
    JSON.stringify({ title: 'x'.repeat(200_000) }),
    JSON.stringify({
      title: ['a'],
      message: { 'zh-CN': {}, bo: [] },
      audience: 'all',
      sendAt: 'tomorrow',
    }),
    JSON.stringify({ title: '\u0000\uFFFF\uD800', message: { 'zh-CN': '\u202E', bo: '\u0F00' } }),
    JSON.stringify(deep(2000)),
    JSON.stringify({ channel: 'telegram', address: '../../etc/passwd' }),
    JSON.stringify({ username: 'a'.repeat(5000), role: 'root', password: 1 }),
  ];
  const ids = ['nope', '%00', 'x'.repeat(2000), '..%2F..', '6b133d2f91421d75f6c9707g'];

  /** Every route the API documents (/docs/json), with ids in its parameters. */
  async function documentedRoutes(): Promise<[string, string][]> {
    const res = await t.app.inject({
      url: '/docs/json',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const spec = res.json<{ paths: Record<string, Record<string, unknown>> }>();
    return Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .map((m) => m.toUpperCase())
        // The live event stream never ends: its own tests cover it.
        .filter(() => path !== '/api/chat/events')
        .map((m): [string, string] => [m, path.replace(/\{\*?\w*\}/g, ID)]),
    );
  }

  it('documents the routes it is about to try (the fuzzing below covers each)', async () => {
    const documented = await documentedRoutes();
    // Routes added since (jobs, people, plans, cases, reports) are tried without being listed.
    expect(documented.length).toBeGreaterThanOrEqual(50);
    expect(documented).toContainEqual(['PATCH', `/api/admin/jobs/${ID}`]);
    expect(documented).toContainEqual(['POST', `/api/admin/people/${ID}/plan`]);
  });

  it('answers every route and body below 500', async () => {
    const bad: string[] = [];
    const seen = new Set(routes.map(([m, u]) => `${m} ${u}`));
    for (const r of await documentedRoutes()) if (!seen.has(`${r[0]} ${r[1]}`)) routes.push(r);
    for (const [method, url] of routes)
      for (const auth of [{ authorization: `Bearer ${ADMIN}` }, {}])
        for (const body of bodies) {
          if (method === 'GET' && body !== undefined) continue; // a GET has no body to vary
          const res = await t.app.inject({
            method: method as 'GET',
            url,
            headers: {
              ...auth,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            ...(body !== undefined && method !== 'GET' ? { payload: body } : {}),
          });
          if (res.statusCode >= 500)
            bad.push(`${method} ${url} ${res.statusCode} ${body?.slice(0, 40)}`);
        }
    for (const id of ids)
      for (const url of [
        `/api/admin/campaigns/${id}`,
        `/admin/campaigns/${id}`,
        `/announcements/${id}`,
      ]) {
        const res = await t.app.inject({ url, headers: { authorization: `Bearer ${ADMIN}` } });
        if (res.statusCode >= 500) bad.push(`GET ${url} ${res.statusCode}`);
      }
    for (const q of [
      'limit=0',
      'limit=-1',
      'limit=abc',
      'limit=1e9',
      'cursor=zz',
      'cursor[]=1',
      'lang=xx',
      'month=2026-13',
      'from=yesterday&to=%00',
      'status=../../x',
      'format=csv&sensitive=1&district[]=x',
    ])
      for (const url of [
        '/admin/campaigns',
        ...routes.filter(([m]) => m === 'GET').map(([, u]) => u),
      ]) {
        const res = await t.app.inject({
          url: `${url}?${q}`,
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        if (res.statusCode >= 500) bad.push(`GET ${url}?${q} ${res.statusCode}`);
      }
    expect(bad).toEqual([]);
  }, 300_000);
});
