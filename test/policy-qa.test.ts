import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../src/messaging/content.js';
import { startTestApp, type TestApp } from './support/app.js';
import { ev, HAN, TIBETAN } from './support/events.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const ids = (m: OutgoingMessage | undefined) => m?.choices?.map((c) => c.id) ?? [];

describe('policy Q&A in the conversation', () => {
  let t: TestApp;
  const say = (chat: string, text: string) =>
    t.deps.handleInbound(ev(chat, { kind: 'text', text }));
  const press = (chat: string, id: string) =>
    t.deps.handleInbound(ev(chat, { kind: 'choice', id }));

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN }, { listen: false });
  });
  afterAll(() => t.close());

  it('answers a Chinese question from a card, with its source line and feedback buttons', async () => {
    await press('q1', 'language:choose#zh');
    const [answer] = await say('q1', '失业金怎么领');
    // What was asked comes first; the source and its review date are under "details".
    expect(answer?.text).not.toMatch(/来源：/);
    expect(ids(answer)).toEqual(expect.arrayContaining(['kb#y', 'kb#n', 'kb#m']));
    const details = ids(answer).find((i) => i.startsWith('kb#d:'))!;
    const [more] = await press('q1', details);
    expect(more?.text).toMatch(/来源：.+（\d{4}-\d{2}-\d{2} 核对）/);
    // "where to go" lists the documents to bring
    const [where] = await press('q1', details.replace('kb#d:', 'kb#w:'));
    expect(where?.text).toContain(t.deps.translator.t('zh-CN', 'kb:bring'));
    expect(where?.text).toContain('• 身份证');
    const [thanks] = await press('q1', 'kb#y');
    expect(thanks?.text).toBe(t.deps.translator.t('zh-CN', 'kb:thanks'));
  });

  it('a card that leads into a service offers it first, without "where to go, what to bring"', async () => {
    // A reviewer's: "点下面的按钮开始模拟面试" showed details / where / open, and "where" made no
    // sense on the interview, CV and support cards.
    const [answer] = await say('q-flow', '可以在这里练习面试吗');
    expect(ids(answer)[0]).toBe('kb#f:interview-practice');
    // Asking for it outright starts it (session 13).
    const started = await say('q-flow3', '我想练习面试');
    expect(started.flatMap((r) => ids(r)).some((i) => i.startsWith('interview:q1'))).toBe(true);
    expect(ids(answer).some((i) => i.startsWith('kb#w:'))).toBe(false);
    // A policy with documents to bring keeps it.
    const [claim] = await say('q-flow2', '失业金怎么领');
    expect(ids(claim).some((i) => i.startsWith('kb#w:'))).toBe(true);
  });

  it('answers a situation told in everyday words, learnt from the example questions', async () => {
    // Names no policy: the ranking alone would ask between CV help and graduates; the classifier
    // learnt from knowledge/examples knows a parent describing a graduate at home.
    await press('q9', 'language:choose#zh');
    const [answer] = await say('q9', '孩子毕业两年了天天在家躺着，我急死了');
    const card = ids(answer)
      .find((i) => i.startsWith('kb#d:'))
      ?.slice('kb#d:'.length);
    expect(t.deps.knowledge.current().cards.find((c) => c.id === card)?.topic).toBe(
      'graduate-support',
    );
  });

  it('a newcomer asking in Tibetan gets a Tibetan answer straight away (and Tibetan is chosen)', async () => {
    const [answer] = await say('q2', 'ལས་ཤོར་བའི་ཐོ་འགོད་ག་པར་བྱེད་དགོས།');
    expect(answer?.lang).toBe('bo');
    expect(answer?.text).toMatch(TIBETAN);
    expect(answer?.text).not.toMatch(HAN);
    const session = await t.deps.sessions.get('web:q2');
    expect(session?.lang).toBe('bo');
  });

  it('a newcomer’s first question it cannot answer gets the welcome and is told it was read', async () => {
    // A reviewer's first messages (pension, 低保) met only the welcome, no sign of the question.
    const replies = await say('q-first', '养老保险交满多少年能领退休金');
    const texts = replies.map((r) => r.text);
    const said = [
      t.deps.translator.t('zh-CN', 'kb:offtopic'),
      t.deps.translator.t('zh-CN', 'kb:decline'),
    ];
    expect(texts.some((x) => said.includes(x))).toBe(true);
    expect(replies.length).toBeGreaterThan(1);
    // "hello"-like small talk still gets only the welcome.
    const hello = await say('q-first2', '在不在');
    expect(hello.map((r) => r.text).some((x) => said.includes(x))).toBe(false);
  });

  it('declines what it does not know, keeps the question for administrators, offers a person', async () => {
    await press('q3', 'language:choose#zh');
    // Off-topic: says what the assistant helps with (not "call 12333" about cooking).
    const [reply] = await say('q3', '红烧肉怎么做才好吃');
    expect(reply?.text).toBe(t.deps.translator.t('zh-CN', 'kb:offtopic'));
    expect(reply?.text).not.toContain('12333');
    expect(ids(reply)).toContain('kb#h');
    const list = await t.app.inject({ url: '/api/admin/questions/unanswered', headers: auth });
    expect(list.statusCode).toBe(200);
    const body = list.json<{ items: { text: string; outcome: string }[] }>();
    expect(
      body.items.some((q) => q.text === '红烧肉怎么做才好吃' && q.outcome === 'declined'),
    ).toBe(true);
    expect((await t.app.inject('/api/admin/questions/unanswered')).statusCode).toBe(401);
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/lamton_questions_total\{lang="zh-CN",outcome="declined"\} [1-9]/);
    expect(metrics).toMatch(/lamton_policy_cards_stale \d+/);
  });

  it('an answer marked unhelpful is listed for administrators too', async () => {
    await press('q4', 'language:choose#zh');
    await say('q4', '公益性岗位怎么申请');
    await press('q4', 'kb#n');
    const body = (
      await t.app.inject({ url: '/api/admin/questions/unanswered', headers: auth })
    ).json<{ items: { text: string; helpful: boolean | null }[] }>();
    expect(body.items.find((q) => q.text === '公益性岗位怎么申请')?.helpful).toBe(false);
  });

  it('distress overrides everything, even in the middle of an interview practice', async () => {
    await press('q5', 'language:choose#zh');
    await press('q5', 'interview:start#practice');
    const [reply, handoff] = await say('q5', '找不到工作，活着没意思');
    expect(reply?.text).toContain('12356');
    // …and a counsellor is asked to take over at once (a case opens, reason distress).
    expect(handoff?.text).toContain('就业指导员');
  });

  it('the policy menu prompts for a question and its quick buttons answer', async () => {
    await press('q6', 'language:choose#zh');
    const [prompt] = await press('q6', 'main:menu#policy');
    expect(prompt?.text).toContain(t.deps.translator.t('zh-CN', 'policy:ask'));
    const replies = await press('q6', 'policy:ask#ins');
    expect(ids(replies.at(-1)).some((i) => i.startsWith('kb#d:'))).toBe(true);
  });

  it('a typed number picks from the choices offered last, answers included', async () => {
    await press('q7', 'language:choose#zh');
    const [answer] = await say('q7', '失业金怎么领');
    const n = ids(answer).indexOf('kb#y') + 1;
    const [thanks] = await say('q7', String(n));
    expect(thanks?.text).toBe(t.deps.translator.t('zh-CN', 'kb:thanks'));
  });

  it('administrators edit and retire cards; every process picks the change up without a restart', async () => {
    const other = await startTestApp({ ADMIN_TOKEN }, { listen: false, sameDeploymentAs: t });
    try {
      const list = (await t.app.inject({ url: '/api/admin/cards', headers: auth })).json<{
        items: { card: { id: string; topic: string } }[];
      }>();
      expect(list.items.length).toBeGreaterThan(0);
      const target = list.items.find((c) => c.card.topic === 'unemployment-insurance')!;
      const got = (
        await t.app.inject({ url: `/api/admin/cards/${target.card.id}`, headers: auth })
      ).json<{ card: Record<string, unknown>; version: number }>();
      const edited = {
        ...got.card,
        short: { 'zh-CN': '【已更新】请拨打 12333 咨询。', bo: 'ཁ་པར་ 12333 ལ་འདྲི་རོགས།' },
      };
      const put = await t.app.inject({
        method: 'PUT',
        url: `/api/admin/cards/${target.card.id}?version=${got.version}`,
        headers: auth,
        payload: edited,
      });
      expect(put.statusCode).toBe(200);
      const stale = await t.app.inject({
        method: 'PUT',
        url: `/api/admin/cards/${target.card.id}?version=${got.version}`,
        headers: auth,
        payload: edited,
      });
      expect(stale.statusCode).toBe(409);
      await expect
        .poll(
          () =>
            other.deps.knowledge.current().cards.find((c) => c.id === target.card.id)?.short[
              'zh-CN'
            ],
          { timeout: 5000 },
        )
        .toBe('【已更新】请拨打 12333 咨询。');

      const bad = await t.app.inject({
        method: 'PUT',
        url: `/api/admin/cards/${target.card.id}`,
        headers: auth,
        payload: { ...edited, source: { 'zh-CN': '', bo: '' } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ error: string }>().error).toBe('validation');

      const retire = await t.app.inject({
        method: 'POST',
        url: `/api/admin/cards/${target.card.id}/retire`,
        headers: auth,
      });
      expect(retire.statusCode).toBe(200);
      await expect
        .poll(() => other.deps.knowledge.current().cards.some((c) => c.id === target.card.id), {
          timeout: 5000,
        })
        .toBe(false);
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/admin/cards/nope/retire', headers: auth }))
          .statusCode,
      ).toBe(404);
      expect((await t.deps.audit.forTarget(`card:${target.card.id}`)).map((a) => a.action)).toEqual(
        ['card.retire', 'card.save'],
      );
    } finally {
      await other.close();
    }
  });

  it('flags cards past their review period', async () => {
    const list = (await t.app.inject({ url: '/api/admin/cards', headers: auth })).json<{
      items: { stale: boolean }[];
      stale: number;
    }>();
    expect(typeof list.stale).toBe('number');
    expect(list.items.every((c) => typeof c.stale === 'boolean')).toBe(true);
  });
});
