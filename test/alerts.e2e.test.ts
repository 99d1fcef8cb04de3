/**
 * Job alerts and recommendations over the web chat (issue 13): subscribing with the command
 * keyword, in plain language and from the intake; a posting through the admin API alerting the
 * subscriber within the minute (the worker role on a fake clock); the same posting never
 * twice; ALERTS_PER_DAY with the rest in the next morning's digest; quiet hours holding alerts;
 * listing and removing one or all subscriptions; recommendations with their reasons; hostile
 * keywords. Real app, Redis and FerretDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertJobId, digestJobId } from '../src/jobs/alert.queue.js';
import { jobsEffect } from '../src/jobs/jobs.turn.js';
import { lhasaDay } from '../src/lib/lhasa-time.js';
import { startTestApp, type TestApp } from './support/app.js';
import { lhasaAt, posting, startAlertTestWorker } from './support/alerts.js';
import { adminApi, until } from './support/campaigns.js';
import { joined, webPerson, type WebReply } from './support/handoff.js';

const ADMIN = 'alerts-admin-token-0123456789abcdef';
let app: TestApp;
let worker: Awaited<ReturnType<typeof startAlertTestWorker>>;
/** The worker's clock: daytime in Lhasa unless a test moves it. */
let clock: () => Date = () => lhasaAt(new Date(), 14);

beforeAll(async () => {
  app = await startTestApp({ ADMIN_TOKEN: ADMIN, ALERTS_PER_DAY: '2' });
  worker = await startAlertTestWorker(app.deps, { now: () => clock() });
});
afterAll(async () => {
  await worker?.close();
  await app?.close();
});

const person = () => webPerson(() => app.url);
const api = adminApi(() => app.url, ADMIN);
type Person = ReturnType<typeof person>;
const offered = (replies: WebReply[], id: string) => {
  expect(replies.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain(id);
  return id;
};
async function personIdOf(p: Person): Promise<string> {
  const identity = await app.deps.mongo
    .collection('identities')
    .findOne({ _id: `web:${p.sid}` as never });
  return String(identity?.personId);
}
async function chinese(): Promise<Person> {
  const p = person();
  await p.press('language:choose#zh');
  return p;
}
async function post(title: string, more: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/api/admin/jobs', posting(title, more));
  expect(res.status).toBe(201);
  return String(res.body.id);
}
/** The pushed messages (alerts, digests) whose text contains `needle`, once there are `n`. */
async function pushed(p: Person, needle: string, n = 1, timeoutMs = 20_000) {
  return until(
    async () => {
      const got = (await p.pushes()).filter((r) => r.text.includes(needle));
      return got.length >= n ? got : undefined;
    },
    timeoutMs,
    `${n} pushed message(s) with ${needle}`,
  );
}
const alertState = async (jobId: string, personId: string) =>
  (await app.deps.mongo.collection('job_alerts').findOne({ _id: `${jobId}:${personId}` as never }))
    ?.state as string | undefined;
const queueJob = (id: string) => app.deps.alerts.queue.getJob(id);

describe('subscribing on the web chat', () => {
  it('subscribes with 订阅岗位 <keywords>, alerts a matching posting (a variant) within the minute, never twice', async () => {
    const p = await chinese();
    const done = joined(await p.say('订阅岗位 保安'));
    expect(done).toContain('订好了');
    expect(done).toContain('保安');
    expect(done).toContain('取消岗位订阅');
    const listed = joined(await p.say('我的订阅'));
    expect(listed).toContain('1. 保安');

    const started = Date.now();
    // 门卫 is a kind of 保安 (knowledge/jobs/variants.json).
    const jobId = await post('小区门卫（夜班）', { employer: '雪域物业' });
    const [alert] = await pushed(p, '小区门卫');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(alert!.text).toContain('雪域物业');
    expect(alert!.text).toContain('0891-6800000');
    expect(alert!.text).toContain('匹配您的订阅：保安');
    // How to stop, in the person's language.
    expect(alert!.notice).toContain('取消岗位订阅');
    const personId = await personIdOf(p);
    expect(await alertState(jobId, personId)).toBe('sent');
    await until(async () => {
      const res = await api('GET', `/api/admin/jobs/${jobId}`);
      return (res.body.reach as { alerted: number }).alerted === 1 ? true : undefined;
    });

    // An edit matches again: the same person is not told twice — even once the queue has
    // forgotten the first alert's job (its record is the guard).
    const first = alertJobId(jobId, personId);
    await (await queueJob(first))!.remove();
    const edited = await api('PATCH', `/api/admin/jobs/${jobId}`, { contact: '0891-6811111' });
    expect(edited.status).toBe(200);
    const again = await until(async () => {
      const job = await queueJob(first);
      return job?.finishedOn ? job : undefined;
    });
    expect(again.returnvalue).toBe('done');
    expect((await p.pushes()).filter((r) => r.text.includes('小区门卫'))).toHaveLength(1);
  });

  it("alerts for a posting saved while Redis could not take its match job (the worker's sweep)", async () => {
    const p = await chinese();
    await p.say('订阅岗位 锅炉工');
    // Saved, but no match job (as when Redis refused it): the posting waits, marked unmatched.
    const savedAt = new Date(clock().getTime() - 5 * 60_000);
    const job = await app.deps.jobs.repo.create({
      title: { 'zh-CN': '供暖锅炉工' },
      employer: '拉萨热力公司',
      district: '城关区',
      description: { 'zh-CN': '供暖季锅炉运行。' },
      contact: '0891-6800000',
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      createdAt: savedAt,
      createdBy: 'admin',
      source: { kind: 'api' },
    });
    const jobId = String(job._id);
    expect(await worker.matchUnmatched()).toBeGreaterThanOrEqual(1);
    await pushed(p, '供暖锅炉工');
    await until(async () =>
      (await app.deps.mongo.collection('jobs').findOne({ _id: job._id }))?.matchPending === false
        ? true
        : undefined,
    );
    // Matched now: the next sweep leaves it alone, and nobody is told twice.
    await worker.matchUnmatched();
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await p.pushes()).filter((r) => r.text.includes('供暖锅炉工'))).toHaveLength(1);
    expect(await alertState(jobId, await personIdOf(p))).toBe('sent');
  });

  it('understands a plain-language wish, and a Tibetan one', async () => {
    const p = await chinese();
    const done = joined(await p.say('以后有司机的工作麻烦通知我一声'));
    expect(done).toContain('订好了');
    expect(done).toContain('司机');
    const subs = await app.deps.alerts.subscriptions.list(await personIdOf(p));
    expect(subs.map((s) => s.keywords)).toEqual([['司机']]);

    const bo = person();
    await bo.press('language:choose#bo');
    const boDone = joined(await bo.say('ཁ་ལོ་བའི་ལས་ཀ་ཡོད་ན་ང་ལ་བརྡ་ཐོང་།'));
    expect(boDone).toContain('ཁ་ལོ་བ');
    expect(boDone).toMatch(/[\u0F40-\u0FBC]/u);
    // A Tibetan subscriber of a Chinese posting: a Tibetan frame around the Chinese details.
    await post('急招货车驾驶员', { district: '堆龙德庆区' });
    const [alert] = await pushed(bo, '急招货车驾驶员');
    expect(alert!.text).toContain('སྟོད་ལུང་བདེ་ཆེན་ཆུས');
    expect(alert!.text).toContain('ལས་ཁུངས');
    expect(alert!.notice).toContain('ལས་གནས་ཀྱི་བརྡ་ཐོ་ཕྱིར་འཐེན');
    expect(alert!.text).toContain('ཞིབ་ཕྲ་རྒྱ་ཡིག');
  });

  it('asks for the work when none is given, and takes a district as a filter', async () => {
    const p = await chinese();
    const menu = await p.say('菜单');
    const jobs = await p.press(offered(menu, 'main:menu#jobs'));
    const asked = await p.press(offered(jobs, 'jobs:menu#subscribe'));
    expect(joined(asked)).toContain('想做什么工作');
    const done = joined(await p.say('厨师、帮厨 当雄县'));
    expect(done).toContain('厨师、帮厨');
    expect(done).toContain('只限当雄县');
    // Elsewhere: nothing; in 当雄县: the alert.
    await post('酒店厨师', { district: '城关区' });
    await post('牧家乐厨师', { district: '当雄县' });
    await pushed(p, '牧家乐厨师');
    expect((await p.pushes()).some((r) => r.text.includes('酒店厨师'))).toBe(false);
    // A button's label typed names no work: asked again, nothing subscribed.
    expect(joined(await p.say('订阅岗位提醒'))).toContain('没有看到想做的工作');
    // "订阅岗位怎么弄" is a question, not a subscription to 怎么弄.
    const how = joined(await p.say('订阅岗位怎么弄'));
    expect(how).toContain('想做什么工作');
    // One word too long to be a kind of work is said to be too long, not "no work seen".
    const long = joined(await p.say('订阅岗位 能在家里照顾孩子同时又可以做的手工活儿或者线上客服'));
    expect(long).toContain('太长');
    expect(long).not.toContain('没有看到');
    expect(await app.deps.alerts.subscriptions.count(await personIdOf(p))).toBe(1);
  });

  it('reads the work and the district out of words around them ("帮厨都行 最好在城关")', async () => {
    // A reviewer's keywords were "做饭的、厨师、帮厨都行、最好在城关" (城关 no filter).
    const p = await chinese();
    const done = joined(await p.say('订阅岗位 做饭的 厨师 帮厨都行 最好在城关'));
    expect(done).toContain('厨师');
    expect(done).toContain('帮厨');
    expect(done).not.toContain('都行');
    expect(done).toContain('只限城关区');
    // What is not wanted is not subscribed to, nor taken for a filter.
    const not = joined(await p.say('订阅岗位 厨师 不要保安 除了城关都行'));
    expect(not).toContain('厨师');
    expect(not).not.toContain('保安');
    expect(not).not.toContain('只限');
  });

  it('offers alerts for the wanted work at the end of the intake', async () => {
    const p = await chinese();
    await p.say('菜单');
    const me = await p.press('main:menu#me');
    const consent = await p.press(offered(me, 'privacy:me#intake'));
    await p.press(offered(consent, 'intake:consent#agree'));
    // Skip to the wanted work (no DATA_KEY here: no sensitive questions).
    await p.press('intake:q-district#skip');
    await p.press('intake:q-age#skip');
    await p.press('intake:q-category#skip');
    const work = await p.press('intake:q-skills#skip');
    expect(work.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain('intake:q-work#skip');
    const offer = await p.say('电焊工');
    expect(joined(offer)).toContain('要不要通知您');
    const yes = await p.press(offered(offer, 'intake:work-alerts#yes'));
    expect(joined(yes)).toContain('电焊工');
    const subs = await app.deps.alerts.subscriptions.list(await personIdOf(p));
    expect(subs).toMatchObject([{ keywords: ['电焊工'], source: 'intake' }]);

    // Withdrawing the consent takes what was made from the intake with it, not the rest.
    await p.say('订阅岗位 保安');
    await p.press('intake:q-languages#skip');
    await p.press('intake:q-contact#skip');
    await p.say('菜单');
    await p.press('main:menu#me');
    const review = await p.press('privacy:me#intake');
    const confirm = await p.press(offered(review, 'intake:review#withdraw'));
    expect(joined(await p.press(offered(confirm, 'intake:withdraw#confirm')))).toContain(
      '已撤回同意',
    );
    const left = await app.deps.alerts.subscriptions.list(await personIdOf(p));
    expect(left).toMatchObject([{ keywords: ['保安'], source: 'chat' }]);
  });
});

describe('pacing what a person receives', () => {
  it('sends ALERTS_PER_DAY alerts a day and holds the rest for the next morning’s digest', async () => {
    const p = await chinese();
    await p.say('订阅岗位 保洁');
    const personId = await personIdOf(p);
    const ids: string[] = [];
    for (const title of ['商场保洁员', '医院保洁', '写字楼清洁工'])
      ids.push(await post(title, { district: '达孜区' }));
    await pushed(p, '保洁', 2);
    const held = await until(async () => {
      const states = await Promise.all(ids.map((id) => alertState(id, personId)));
      return states.includes('digest') && states.filter((s) => s === 'sent').length === 2
        ? states
        : undefined;
    });
    const heldId = ids[held.indexOf('digest')]!;
    // The digest waits for 09:00 in Lhasa the next day; the clock moves there.
    const at = lhasaAt(clock(), 9, 1);
    const digest = await queueJob(digestJobId(personId, lhasaDay(at)));
    expect(digest).toBeDefined();
    clock = () => at;
    try {
      await digest!.promote();
      const [sent] = await pushed(p, '为您汇总的新岗位');
      expect(sent!.text).toContain('（1 个）');
      // (The record is written just after the message goes.)
      await until(async () => ((await alertState(heldId, personId)) === 'sent' ? true : undefined));
    } finally {
      clock = () => lhasaAt(new Date(), 14);
    }
  });

  it('holds alerts in quiet hours and sends them when they end', async () => {
    const p = await chinese();
    await p.say('订阅岗位 导游');
    const personId = await personIdOf(p);
    clock = () => lhasaAt(new Date(), 23);
    try {
      const jobId = await post('布达拉宫讲解导游', { district: '城关区' });
      const job = await until(async () => {
        const j = await queueJob(alertJobId(jobId, personId));
        return j && (await j.getState()) === 'delayed' ? j : undefined;
      });
      expect((await p.pushes()).some((r) => r.text.includes('讲解导游'))).toBe(false);
      clock = () => lhasaAt(new Date(), 8, 1);
      await job.promote();
      await pushed(p, '布达拉宫讲解导游');
    } finally {
      clock = () => lhasaAt(new Date(), 14);
    }
  });
});

describe('listing and removing subscriptions', () => {
  it('removes one by its number, then all; nothing comes after', async () => {
    const p = await chinese();
    await p.say('订阅岗位 电工');
    await p.say('订阅岗位 水暖工');
    const listed = joined(await p.say('我的订阅'));
    expect(listed).toContain('1. 电工');
    expect(listed).toContain('2. 水暖工');
    const before = await app.deps.alerts.subscriptions.list(await personIdOf(p));
    const one = joined(await p.say('取消岗位订阅 1'));
    expect(one).toContain('已取消：电工');
    expect(one).toContain('1. 水暖工');
    // Even if the index kept the removed one (its update failed), what is stored decides: a
    // posting only it wants is not sent, though the person still has another subscription.
    await app.deps.alerts.matcher.add(before[0]!);
    const stale = await post('维修电工');
    await until(async () =>
      (await alertState(stale, await personIdOf(p))) === 'skipped' ? true : undefined,
    );
    const all = joined(await p.say('取消岗位订阅'));
    expect(all).toContain('已取消全部 1 个');
    expect(await app.deps.alerts.subscriptions.count(await personIdOf(p))).toBe(0);
    await post('水暖工');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await p.pushes()).filter((r) => /电工|水暖工/u.test(r.text))).toEqual([]);
  });

  it('offers only subscribing and the menu when nothing is subscribed', async () => {
    const p = await chinese();
    const empty = await p.say('我的订阅');
    expect(joined(empty)).toContain('您还没有订阅岗位提醒');
    const ids = empty.flatMap((r) => r.choices ?? []).map((c) => c.id);
    expect(ids).toEqual(['jobs:list#subscribe', 'jobs:list#menu']);
    // "1" now picks the first button shown (subscribe), not a hidden "remove all".
    expect(joined(await p.say('1'))).not.toContain('取消');
    await p.say('订阅岗位 厨师');
    const listed = await p.say('我的订阅');
    expect(listed.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain('jobs:list#all');
  });

  it('switches to a daily digest from the list', async () => {
    const p = await chinese();
    await p.say('订阅岗位 收银员');
    const list = await p.say('我的订阅');
    const digest = joined(await p.press(offered(list, 'jobs:list#digest')));
    expect(digest).toContain('每天早上');
    expect(joined(await p.say('我的订阅'))).toContain('（每天汇总）');
    const personId = await personIdOf(p);
    const jobId = await post('超市收银员');
    await until(async () => ((await alertState(jobId, personId)) === 'digest' ? true : undefined));
  });
});

describe('when the index fails', () => {
  it('keeps no subscription the index could not take (a retry makes one, not two)', async () => {
    const p = await chinese();
    const personId = await personIdOf(p);
    const down = {
      ...app.deps.alerts.turn,
      matcher: {
        add: () => Promise.reject(new Error('redis down')),
        remove: (sub: Parameters<typeof app.deps.alerts.matcher.remove>[0]) =>
          app.deps.alerts.matcher.remove(sub),
      },
    };
    const ctx = { personId, channel: 'web' as const, lang: 'zh-CN' as const, now: new Date() };
    await expect(jobsEffect(down, { ...ctx, args: '保安' }, 'subscribe')).rejects.toThrow(
      'redis down',
    );
    expect(await app.deps.alerts.subscriptions.count(personId)).toBe(0);
    await jobsEffect(app.deps.alerts.turn, { ...ctx, args: '保安' }, 'subscribe');
    expect(await app.deps.alerts.subscriptions.count(personId)).toBe(1);
  });
});

describe('recommendations', () => {
  it('recommends open postings for the subscriptions and profile, with the reason', async () => {
    const p = await chinese();
    await p.say('订阅岗位 仓管');
    await post('冷库仓管员', { district: '曲水县' });
    const menu = await p.say('菜单');
    const jobs = await p.press(offered(menu, 'main:menu#jobs'));
    const rec = joined(await p.press(offered(jobs, 'jobs:menu#recommend')));
    expect(rec).toContain('冷库仓管员');
    expect(rec).toContain('推荐理由：符合“仓管”');
  });

  it('shows the newest postings, said so, to someone it knows nothing about', async () => {
    const p = await chinese();
    const rec = joined(await p.say('推荐岗位'));
    expect(rec).toContain('最新发布');
    expect(rec).toContain('我还不知道您想做什么工作');
  });
});

describe('hostile keywords', () => {
  it('keeps markup, operators and floods as plain text, and answers', async () => {
    const p = await chinese();
    const odd = joined(await p.say('订阅岗位 <script>alert(1)</script> {"$gt":""} 保安'));
    expect(odd).toContain('订好了');
    const flood = await p.say(`订阅岗位 ${'保安'.repeat(900)}`);
    expect(joined(flood).length).toBeGreaterThan(0);
    const subs = await app.deps.alerts.subscriptions.list(await personIdOf(p));
    for (const s of subs) {
      for (const k of s.keywords) expect(typeof k).toBe('string');
      expect(s.keywords.length).toBeLessThanOrEqual(10);
    }
    // Twenty subscriptions at most.
    for (let i = 0; i < 22; i++)
      await app.deps.alerts.subscriptions.add({
        personId: await personIdOf(p),
        keywords: [`司机${i}`],
        source: 'chat',
        at: new Date(),
      });
    expect(joined(await p.say('订阅岗位 厨师'))).toContain('不能再加');
  });
});
