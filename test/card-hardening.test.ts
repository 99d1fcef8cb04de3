import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardModel } from '../src/policy-cards/card.model.js';
import { startTestApp, type TestApp } from './support/app.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Issue 8, part B 1, 5, 7 and 11: what an administrator's card can no longer do. */
describe('policy cards an administrator sends', () => {
  let t: TestApp;
  let base: Record<string, unknown> & { id: string };
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
    const list = (await t.app.inject({ url: '/api/admin/cards', headers: auth })).json<{
      items: { card: Record<string, unknown> & { id: string } }[];
    }>();
    base = list.items[0]!.card;
  });
  afterAll(() => t.close());

  const put = (id: string, card: Record<string, unknown>) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/admin/cards/${id}`,
      headers: auth,
      payload: { ...card, id },
    });

  it('refuses a 70,000-character field with 400 naming it (it used to crash every start)', async () => {
    const res = await put('huge-card', {
      ...base,
      details: { 'zh-CN': '失业'.repeat(35_000), bo: 'ལས་མེད' },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('details');
  });

  it('refuses a flow reference to a node that does not exist, inherited names included', async () => {
    for (const flow of ['main:constructor', 'main:__proto__', 'nosuch:menu', 'main:toString']) {
      const res = await put('flow-card', { ...base, flow });
      expect(res.statusCode, flow).toBe(400);
    }
    expect((await put('flow-card', { ...base, flow: 'interview:start' })).statusCode).toBe(200);
  });

  it('refuses a review date in the future', async () => {
    const res = await put('future-card', { ...base, reviewedAt: '9999-12-31' });
    expect(res.statusCode).toBe(400);
  });

  it('stores text cleaned: no NUL, no bidi override, no lone surrogate', async () => {
    const res = await put('clean-card', {
      ...base,
      title: { 'zh-CN': '失业\u0000金\u202E怎么\uD800领', bo: 'ལས་མེད\u202Eཉེན་འགོག' },
    });
    expect(res.statusCode).toBe(200);
    const saved = (await t.deps.cards.get('clean-card'))!.card;
    expect(saved.title['zh-CN']).toBe('失业金怎么领');
    expect(saved.title.bo).toBe('ལས་མེདཉེན་འགོག');
  });

  it('answers parallel creates of one new card with 200 or 409, never 500', async () => {
    // A PUT without ?version replaces: those that come after the create succeed too; those that
    // race the create itself lose at the unique id and hear 409.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => put('parallel-card', base).then((r) => r.statusCode)),
    );
    expect(results).toContain(200);
    expect(
      results.every((s) => s === 200 || s === 409),
      results.join(','),
    ).toBe(true);
  });

  it('keeps one of parallel edits of the same version, and tells the others 409', async () => {
    expect((await put('edited-card', base)).statusCode).toBe(200);
    const edits = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.app.inject({
          method: 'PUT',
          url: '/api/admin/cards/edited-card?version=1',
          headers: auth,
          payload: {
            ...base,
            id: 'edited-card',
            short: { ...(base.short as Record<string, string>), 'zh-CN': `第${i}版` },
          },
        }),
      ),
    );
    const codes = edits.map((r) => r.statusCode);
    // Before: five of six heard 200 and four of those edits were lost.
    expect(
      codes.filter((c) => c === 200),
      codes.join(','),
    ).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(5);
    const saved = await t.deps.cards.get('edited-card');
    expect(saved?.version).toBe(2);
    const winner = edits.findIndex((r) => r.statusCode === 200);
    expect(saved?.card.short['zh-CN']).toBe(`第${winner}版`);
  });

  it('skips a stored card that no longer passes the schema: start and reload go on, the list says why', async () => {
    // As if written by an older version without limits.
    await cardModel(t.deps.mongo).create({
      _id: 'stored-bad',
      card: { ...base, id: 'stored-bad', details: { 'zh-CN': '失业'.repeat(35_000), bo: 'ལས' } },
      origin: 'admin',
      retired: false,
      version: 1,
      updatedAt: new Date(),
      updatedBy: 'admin',
    });
    await t.deps.knowledge.reload();
    expect(t.deps.knowledge.current().cards.some((c) => c.id === 'stored-bad')).toBe(false);
    expect(t.deps.knowledge.current().cards.length).toBeGreaterThan(10);
    const got = (await t.app.inject({ url: '/api/admin/cards/stored-bad', headers: auth })).json<{
      invalid?: string;
    }>();
    expect(got.invalid).toContain('details');
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/lamton_policy_cards_invalid 1/);
  });
});
