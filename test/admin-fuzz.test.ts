import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

const ADMIN = 'fuzz-admin-token-0123456789abc';
const ID = '0123456789abcdef01234567';

/**
 * Bad input on the admin side never gives a 5xx: every admin route (campaigns, accounts, cards,
 * examples, the pages) gets hostile bodies, ids and query strings, with and without a token.
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

  it('answers every route and body below 500', async () => {
    const bad: string[] = [];
    for (const [method, url] of routes)
      for (const auth of [{ authorization: `Bearer ${ADMIN}` }, {}])
        for (const body of bodies) {
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
    ])
      for (const url of ['/api/admin/campaigns', '/admin/campaigns']) {
        const res = await t.app.inject({
          url: `${url}?${q}`,
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        if (res.statusCode >= 500) bad.push(`GET ${url}?${q} ${res.statusCode}`);
      }
    expect(bad).toEqual([]);
  }, 120_000);
});
