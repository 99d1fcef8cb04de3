import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleSchema } from '../src/knowledge/examples.js';
import { topicOf } from '../src/knowledge/qa-line.js';
import { startTestApp, type TestApp } from './support/app.js';
import { ev } from './support/events.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** Declined by the shipped knowledge: a deposit taken by a fake job agent, in everyday words. */
const QUESTION = '被人骗了押金咋办';

describe('administrators teach the assistant a way of asking', () => {
  let t: TestApp;
  let other: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
    other = await startTestApp({ ADMIN_TOKEN }, { listen: false, sameDeploymentAs: t });
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  const decideIn = (app: TestApp) =>
    topicOf(app.deps.knowledge.current().decide(QUESTION, 'zh-CN')).topic;
  const unanswered = async () =>
    (await t.app.inject({ url: '/api/admin/questions/unanswered', headers: auth })).json<{
      items: { id: string; text: string }[];
    }>().items;

  it('an unanswered question, taught once, is answered by every process; removing it undoes that', async () => {
    await t.deps.handleInbound(ev('e1', { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(ev('e1', { kind: 'text', text: QUESTION }));
    const question = (await unanswered()).find((q) => q.text === QUESTION);
    expect(question).toBeDefined();
    expect(decideIn(other)).toBe('none');

    const taught = await t.app.inject({
      method: 'POST',
      url: '/api/admin/examples',
      headers: auth,
      payload: {
        lang: 'zh-CN',
        // The question itself, as an administrator teaches it from the unanswered list (with the
        // stray spaces and zero-width characters pasted text brings).
        text: ' 被人骗了\u200B押金咋办 ',
        topic: 'job-search',
        questionId: question!.id,
      },
    });
    expect(taught.statusCode).toBe(201);
    const saved = taught.json<{ id: string; text: string; questionId: string }>();
    expect(saved.text).toBe('被人骗了押金咋办');
    expect(saved.questionId).toBe(question!.id);

    await expect.poll(() => decideIn(other), { timeout: 30_000 }).toBe('job-search');
    await expect.poll(() => decideIn(t), { timeout: 30_000 }).toBe('job-search');
    expect((await unanswered()).some((q) => q.id === question!.id)).toBe(false);

    const list = await t.app.inject({ url: '/api/admin/examples', headers: auth });
    expect(list.json<{ items: { id: string }[] }>().items.map((e) => e.id)).toEqual([saved.id]);
    const exported = await t.app.inject({ url: '/api/admin/examples.jsonl', headers: auth });
    expect(exported.headers['content-type']).toContain('application/x-ndjson');
    const lines = exported.body.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(exampleSchema.parse(JSON.parse(lines[0]!))).toMatchObject({
      lang: 'zh-CN',
      text: '被人骗了押金咋办',
      topic: 'job-search',
    });

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/examples/${saved.id}`,
      headers: auth,
    });
    expect(removed.statusCode).toBe(204);
    await expect.poll(() => decideIn(other), { timeout: 30_000 }).toBe('none');
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/examples/${saved.id}`,
      headers: auth,
    });
    expect(again.statusCode).toBe(404);
    expect(
      (await t.deps.audit.forTarget(`example:${saved.id}`)).map((a) => a.action).sort(),
    ).toEqual(['example.add', 'example.remove']);
    // Each process retrains (a second or two of CPU each, in slices) while other test files run.
  }, 120_000);

  it('refuses a repeat, a bad topic, empty text and a missing token, without a 5xx', async () => {
    const post = (payload: unknown, headers: Record<string, string> = auth) =>
      t.app.inject({
        method: 'POST',
        url: '/api/admin/examples',
        headers,
        payload: payload as object,
      });
    const ok = { lang: 'bo', text: 'ལས་ཀ་འཚོལ་སའི་ས་ཆ་གང་ན་ཡོད།', topic: 'job-search' };
    expect((await post(ok)).statusCode).toBe(201);
    const repeat = await post(ok);
    expect(repeat.statusCode).toBe(409);
    const badTopic = await post({ ...ok, text: 'x', topic: 'weather' });
    expect(badTopic.statusCode).toBe(400);
    expect(badTopic.json<{ error: string }>().error).toBe('validation');
    expect((await post({ ...ok, text: '\u0000\u200B  ' })).statusCode).toBe(400);
    expect((await post({ ...ok, text: 'ན'.repeat(1500) })).statusCode).toBe(400);
    expect((await post({ ...ok, questionId: 'nope' })).statusCode).toBe(400);
    for (const text of [
      '我电话13912345678，失业金咋领',
      '身份证540102199001011234 能办吗',
      '电话１３９１２３４５６７８',
      '我的电话1 3 8 0 0 1 3 8 0 0 0',
      '电话 138-0013-8000 能领吗',
    ])
      expect((await post({ ...ok, lang: 'zh-CN', text })).statusCode, text).toBe(400);
    expect((await post({ ...ok, lang: 'zh-CN', text: '12333 能问失业金吗' })).statusCode).toBe(201);
    // An example teaches its own language: Chinese under bo, or marks alone, are refused.
    for (const [lang, text] of [
      ['bo', '失业金怎么领'],
      ['zh-CN', 'ལས་མེད་ཉེན་འགོག་དངུལ་ཇི་ལྟར་ལེན།'],
      ['bo', '\u0f71\u0f71\u0f71'],
    ])
      expect((await post({ ...ok, lang, text })).statusCode, text).toBe(400);
    expect((await post(ok, {})).statusCode).toBe(401);
    // A malformed id is an unknown one (docs/contracts.md: 404).
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/admin/examples/xyz', headers: auth }))
        .statusCode,
    ).toBe(404);
  });
});
