/**
 * The action plan with reminders (standard 7.1(4)) and "I found a job" with follow-ups (7.2(6)),
 * over the web chat and the admin API: consent first, a step in the person's words with a date
 * in Lhasa time, the reminder pushed at its time by the worker (a fake clock; held in quiet
 * hours), the answer recorded (pressed or typed as a number); a counsellor's step through the
 * API; the employment record, its follow-ups at one and three months and their answers, "need
 * help" opening a case; hostile free text kept as data; the jobs /delete must remove. Real app,
 * real Redis and FerretDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import type { PersonDoc } from '../src/people/person.model.js';
import { journeyJobIds } from '../src/journey/journey.workers.js';
import { followupDueAt } from '../src/journey/plan.format.js';
import {
  callbackUpdate,
  commandUpdate,
  startBotApiServer,
  textUpdate,
  type BotApiServer,
  type SentMessage,
} from './support/bot-api/index.js';
import { adminApi, until } from './support/campaigns.js';
import { joined, webPerson, type WebReply } from './support/handoff.js';
import { startJourneyTestWorkers, startPlanTestApp, type PlanTestApp } from './support/journey.js';

const ADMIN = 'plan-admin-token-0123456789abcdef';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Lhasa keeps UTC+8. */
const LHASA = 8 * HOUR;

let app: PlanTestApp;
let bot: BotApiServer;
let workers: { close(): Promise<void> };
/** The worker's clock (tests move it to a step's time, or into quiet hours). */
let clock: () => Date = () => new Date();

beforeAll(async () => {
  bot = await startBotApiServer();
  app = await startPlanTestApp({
    ADMIN_TOKEN: ADMIN,
    TELEGRAM_BOT_TOKEN: bot.token,
    TELEGRAM_API_ROOT: bot.apiRoot,
    TELEGRAM_MODE: 'polling',
  });
  await app.deps.telegram!.start();
  workers = await startJourneyTestWorkers(app.deps, { now: () => clock() });
});
afterAll(async () => {
  await workers?.close();
  await app?.close();
  await bot?.close();
});

const person = () => webPerson(() => app.url);
const api = adminApi(() => app.url, ADMIN);
const people = () => app.deps.mongo.collection<PersonDoc>('people');
const oid = (id: string) => new mongoose.Types.ObjectId(id);
const queue = () => app.planning.queue;
const offered = (replies: WebReply[], id: string) => {
  expect(replies.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain(id);
  return id;
};
async function personIdOf(p: ReturnType<typeof person>): Promise<string> {
  const identity = await app.deps.mongo
    .collection('identities')
    .findOne({ _id: `web:${p.sid}` as never });
  return String(identity?.personId);
}
const personDoc = async (id: string) => (await people().findOne({ _id: oid(id) }))!;
/** Lhasa's calendar day of `d` (days since the epoch) and its hour. */
const lhasaDay = (d: Date) => Math.floor((d.getTime() + LHASA) / DAY);
const lhasaHour = (d: Date) => new Date(d.getTime() + LHASA).getUTCHours();
/** `hour`:00 in Lhasa on the Lhasa day of `d`. */
const lhasaAt = (d: Date, hour: number) => new Date(lhasaDay(d) * DAY - LHASA + hour * HOUR);

/** A Chinese-speaking person who opened 我的行动计划 and agreed to the profile consent. */
async function planner() {
  const p = person();
  await p.press('language:choose#zh');
  await p.say('菜单');
  const me = await p.press('main:menu#me');
  const asked = await p.press(offered(me, 'privacy:me#plan'));
  // Planning is profiling: the consent comes first, with a line saying why.
  expect(joined(asked)).toContain('需要先征得您的同意');
  expect(joined(asked)).toContain('您同意吗');
  // Once agreed, the plan itself, not the intake's questions.
  const plan = await p.press(offered(asked, 'plan:consent#agree'));
  expect(joined(plan)).not.toContain('哪个区县');
  expect(plan.at(-1)?.choices?.map((c) => c.id)).toContain('plan:show#add');
  return p;
}

/** From the plan: add a step in the person's words, due `when`. */
async function addStep(
  p: ReturnType<typeof person>,
  text: string,
  when: '3d' | '1w' | '2w' | '1m',
) {
  const shown = await p.press('privacy:me#plan');
  const write = await p.press(offered(shown, 'plan:show#add'));
  expect(joined(write)).toContain('用您自己的话');
  const whenAsked = await p.say(text);
  expect(joined(whenAsked)).toContain('什么时候完成');
  return p.press(offered(whenAsked, `plan:when#${when}`));
}

async function waitHeld(jobId: string) {
  return until(async () => {
    const job = await queue().getJob(jobId);
    const state = await job?.getState();
    return job?.processedOn && state === 'delayed' ? state : undefined;
  });
}

describe('the action plan in the chat', () => {
  it('needs the profile consent: without it nothing is planned', async () => {
    const p = person();
    await p.press('language:choose#zh');
    await p.say('菜单');
    await p.press('main:menu#me');
    const asked = await p.press('privacy:me#plan');
    expect(joined(asked)).toContain('您同意吗');
    const declined = await p.press(offered(asked, 'plan:consent#decline'));
    expect(joined(declined)).toContain('不会登记');
    // An old button pressed anyway: nothing is kept, no reminder queued.
    await p.press('plan:write#cancel');
    const stale = await p.press('plan:when#3d');
    expect(joined(stale)).toMatch(/请先写下|没有保存/);
    const id = await personIdOf(p);
    expect((await personDoc(id)).plan).toBeUndefined();
    const jobs = await queue().getJobs(['delayed', 'waiting']);
    expect(jobs.filter((j) => j.data.personId === id)).toEqual([]);
  });

  it('adds a step with a date in Lhasa time, reminds at 10:00 that day, and records "done"', async () => {
    const p = await planner();
    const empty = await p.press('privacy:me#plan');
    expect(joined(empty)).toContain('您还没有行动计划');
    const before = new Date();
    const added = await addStep(p, '去人力资源市场看招聘信息', '3d');
    expect(joined(added)).toContain('已加入您的行动计划：“去人力资源市场看招聘信息”');
    expect(joined(added)).toContain('上午 10 点');

    const id = await personIdOf(p);
    const [step] = (await personDoc(id)).plan!;
    expect(step).toMatchObject({ text: '去人力资源市场看招聘信息', by: 'person', doneAt: null });
    const due = new Date(step!.due);
    expect(lhasaDay(due) - lhasaDay(before)).toBe(3);
    expect(lhasaHour(due)).toBe(10);
    expect(due.getUTCMinutes()).toBe(0);
    // The reminder waits in the queue until then (ids only in its data).
    const jobId = `plan-${id}-${step!.id}`;
    const job = (await queue().getJob(jobId))!;
    expect(await job.getState()).toBe('delayed');
    expect(job.data).toEqual({ kind: 'plan', personId: id, stepId: step!.id });
    expect(Math.abs(job.timestamp + job.delay - due.getTime())).toBeLessThan(60_000);

    // The plan lists it, not done yet.
    const list = joined(await p.press('privacy:me#plan'));
    expect(list).toContain('1. 去人力资源市场看招聘信息（');
    expect(list).toContain('还没完成');

    clock = () => new Date(due.getTime() + 60_000);
    await job.promote();
    const reminder = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('提醒：您计划“去人力资源市场看招聘信息”')),
    );
    expect(reminder.text).toContain('完成了吗？');
    expect(reminder.choices?.map((c) => c.label)).toEqual(['已完成', '还没有']);
    expect((await personDoc(id)).plan![0]!.remindedAt).toBeInstanceOf(Date);

    const done = await p.press(reminder.choices![0]!.id);
    expect(joined(done)).toContain('这一步已经记为完成');
    expect((await personDoc(id)).plan![0]!.doneAt).toBeInstanceOf(Date);
    expect(joined(await p.press('privacy:me#plan'))).toContain('已完成');
    clock = () => new Date();
  });

  it('holds a reminder due in quiet hours until they end; "2" typed answers "not yet" kindly', async () => {
    const p = await planner();
    await addStep(p, '给社区就业服务站打电话问培训', '1w');
    const id = await personIdOf(p);
    const step = (await personDoc(id)).plan![0]!;
    const jobId = `plan-${id}-${step.id}`;
    // 23:30 in Lhasa on the step's day: inside the default quiet hours (22:00-08:00).
    clock = () => new Date(lhasaAt(new Date(step.due), 23).getTime() + 30 * 60_000);
    await (await queue().getJob(jobId))!.promote();
    expect(await waitHeld(jobId)).toBe('delayed');
    expect(joined(await p.pushes())).not.toContain('给社区就业服务站打电话问培训');
    expect((await personDoc(id)).plan![0]!.remindedAt ?? null).toBeNull();

    clock = () => lhasaAt(new Date(new Date(step.due).getTime() + DAY), 8);
    await (await queue().getJob(jobId))!.promote();
    const reminder = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('给社区就业服务站打电话问培训')),
    );
    expect(reminder.choices).toHaveLength(2);
    // WeChat shows pushed buttons as a numbered list: "2" is 还没有.
    const notYet = await p.say('2');
    expect(joined(notYet)).toContain('没关系');
    expect(notYet.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain(
      'plan:reminder-not-yet#human',
    );
    const after = (await personDoc(id)).plan![0]!;
    expect(after.notYetAt).toBeInstanceOf(Date);
    expect(after.doneAt ?? null).toBeNull();
    clock = () => new Date();
  });

  it('keeps hostile free text as data: cut to 200, no control characters, nothing interpolated', async () => {
    const p = await planner();
    const hostile = `<script>alert(1)</script> {{x}} $t(main:welcome)\u0007\u202E${'长'.repeat(3000)}`;
    const added = joined(await addStep(p, hostile, '2w'));
    expect(added).toContain('<script>alert(1)</script> {{x}} $t(main:welcome)');
    expect(added).not.toContain('我是拉萨市公共就业服务的智能助手');
    const step = (await personDoc(await personIdOf(p))).plan![0]!;
    expect(step.text.length).toBeLessThanOrEqual(200);
    expect(step.text.startsWith('<script>alert(1)</script> {{x}} $t(main:welcome)长')).toBe(true);
    expect([...step.text].filter((c) => c < ' ' || c === '\u202e')).toEqual([]);
    // The reminder shows it as written too.
    clock = () => new Date(new Date(step.due).getTime() + 60_000);
    await (await queue().getJob(`plan-${await personIdOf(p)}-${step.id}`))!.promote();
    const reminder = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('<script>alert(1)</script> {{x}}')),
    );
    expect(reminder.text).toContain('$t(main:welcome)');
    clock = () => new Date();
  });

  it('takes at most 10 open steps', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    const due = new Date(Date.now() + 5 * DAY).toISOString();
    const add = (text: string) => api('POST', `/api/admin/people/${id}/plan`, { text, due });
    for (let i = 1; i <= 8; i++) expect((await add(`步骤${i}`)).status).toBe(201);
    // Three at once for the last two places: the database decides, never eleven.
    const racing = await Promise.all([add('步骤九'), add('步骤十'), add('步骤十一')]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 201, 409]);
    const eleventh = await api('POST', `/api/admin/people/${id}/plan`, { text: '第十一步', due });
    expect(eleventh.status).toBe(409);
    await p.press('privacy:me#plan');
    const full = await p.press('plan:show#add');
    expect(joined(full)).toContain('已经有 10 个还没完成的步骤');
    expect((await personDoc(id)).plan).toHaveLength(10);
  });
});

describe('the action plan on the admin API', () => {
  let counsellor = '';
  beforeAll(async () => {
    const created = await api('POST', '/api/admin/accounts', {
      username: 'dolma',
      role: 'counsellor',
      password: 'a long enough password',
    });
    expect(created.status).toBe(201);
    const token = await api('POST', `/api/admin/accounts/${String(created.body.id)}/tokens`, {
      name: 'tests',
    });
    counsellor = String(token.body.token);
  });

  it('lets a counsellor add a step (audited), lists it, and the reminder reaches the person', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    // Noon in Lhasa two days on: its reminder is out of quiet hours whenever the suite runs
    // (two days from 22:30 in Lhasa fell in quiet hours, and the reminder was held).
    const due = lhasaAt(new Date(Date.now() + 2 * DAY), 12);
    const dueText = new Date(due.getTime() + LHASA).toISOString().replace('Z', '+08:00');
    const added = await api(
      'POST',
      `/api/admin/people/${id}/plan`,
      { text: '把简历发给王老师看看', due: dueText },
      counsellor,
    );
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      text: '把简历发给王老师看看',
      done: false,
      by: 'counsellor',
      createdBy: 'dolma',
    });
    expect(new Date(String(added.body.due)).getTime()).toBe(due.getTime());
    const stepId = String(added.body.id);
    const list = await api('GET', `/api/admin/people/${id}/plan`, undefined, counsellor);
    expect(list.status).toBe(200);
    expect((list.body.items as { id: string }[]).map((s) => s.id)).toEqual([stepId]);
    const audit = await app.deps.audit.forTarget(`person:${id}`);
    expect(audit).toContainEqual(
      expect.objectContaining({ actor: 'dolma', action: 'plan.add', details: { stepId } }),
    );

    clock = () => new Date(due.getTime() + 1000);
    await (await queue().getJob(`plan-${id}-${stepId}`))!.promote();
    const reminder = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('把简历发给王老师看看')),
    );
    expect(reminder.text).toContain('提醒：您计划');
    clock = () => new Date();

    const patched = await api(
      'PATCH',
      `/api/admin/people/${id}/plan/${stepId}`,
      { done: true },
      counsellor,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.done).toBe(true);
    expect(await app.deps.audit.forTarget(`person:${id}`)).toContainEqual(
      expect.objectContaining({ actor: 'dolma', action: 'plan.done' }),
    );
  });

  it('answers 401 without a token, 400 naming the field, 404 for unknown people and steps', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    const due = new Date(Date.now() + DAY).toISOString();
    const anon = await fetch(`${app.url}/api/admin/people/${id}/plan`);
    expect(anon.status).toBe(401);
    const cases: [unknown, string][] = [
      [{ due }, 'text'],
      [{ text: '   \u0007 ', due }, 'text'],
      [{ text: '长'.repeat(201), due }, 'text'],
      [{ text: '去面试' }, 'due'],
      [{ text: '去面试', due: '2030-01-01T10:00:00' }, 'due'],
      [{ text: '去面试', due: '2001-01-01T10:00:00+08:00' }, 'due'],
      [{ text: '去面试', due, extra: 1 }, ''],
    ];
    for (const [body, path] of cases) {
      const res = await api('POST', `/api/admin/people/${id}/plan`, body, counsellor);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe('validation');
      if (path) expect(JSON.stringify(res.body.details)).toContain(`"path":"${path}"`);
    }
    const unknown = new mongoose.Types.ObjectId().toHexString();
    expect((await api('GET', `/api/admin/people/${unknown}/plan`)).status).toBe(404);
    expect((await api('GET', '/api/admin/people/constructor/plan')).status).toBe(404);
    expect(
      (await api('POST', `/api/admin/people/${unknown}/plan`, { text: '去面试', due })).status,
    ).toBe(404);
    expect(
      (await api('PATCH', `/api/admin/people/${id}/plan/abcdef123456`, { done: true })).status,
    ).toBe(404);
    expect((await api('PATCH', `/api/admin/people/${id}/plan/x`, { done: false })).status).toBe(
      400,
    );
  });
});

describe('"I found a job" and its follow-ups', () => {
  it('records what the person says, thanks them, and asks at one and three months', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    const me = await p.press('privacy:me#found');
    expect(joined(me)).toContain('恭喜您找到工作');
    expect(joined(me)).toContain('哪个单位');
    const work = await p.say('拉萨某某物业公司 <b>{{employer}}</b>\u0000');
    expect(joined(work)).toContain('什么工作');
    const started = await p.say('保安');
    const thanks = await p.press(offered(started, 'employment:q-started#month'));
    expect(joined(thanks)).toContain('真为您高兴');
    const record = (await personDoc(id)).employment!;
    expect(record).toMatchObject({
      employer: '拉萨某某物业公司 <b>{{employer}}</b>',
      work: '保安',
      startedAt: 'this-month',
      followups: [],
    });
    expect(record.at).toBeInstanceOf(Date);

    const oneMonth = (await queue().getJob(`employment-${id}-1m`))!;
    const threeMonths = (await queue().getJob(`employment-${id}-3m`))!;
    expect(oneMonth.data).toEqual({ kind: 'employment', personId: id, months: 1 });
    for (const [job, months] of [
      [oneMonth, 1],
      [threeMonths, 3],
    ] as const) {
      expect(await job.getState()).toBe('delayed');
      const at = followupDueAt(record.at, months);
      expect(Math.abs(job.timestamp + job.delay - at.getTime())).toBeLessThan(60_000);
      expect(lhasaHour(at)).toBe(10);
    }
    expect(lhasaDay(followupDueAt(record.at, 1)) - lhasaDay(record.at)).toBeGreaterThanOrEqual(28);

    // One month on: still there.
    clock = () => new Date(followupDueAt(record.at, 1).getTime() + HOUR);
    await oneMonth.promote();
    const first = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('您还在这份工作吗')),
    );
    expect(first.text).toContain('1 个月前');
    expect(first.choices?.map((c) => c.label)).toEqual(['还在', '不在了', '需要帮助']);
    expect(joined(await p.press(first.choices![0]!.id))).toContain('祝工作顺利');

    // Three months on (held in quiet hours first): needs help, which opens a case.
    clock = () => lhasaAt(followupDueAt(record.at, 3), 23);
    await threeMonths.promote();
    expect(await waitHeld(`employment-${id}-3m`)).toBe('delayed');
    clock = () => new Date(followupDueAt(record.at, 3).getTime() + HOUR);
    await (await queue().getJob(`employment-${id}-3m`))!.promote();
    const second = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('3 个月前')),
    );
    const help = await p.press(second.choices!.find((c) => c.label === '需要帮助')!.id);
    expect(joined(help)).toContain('就业指导员');
    const cases = await app.deps.mongo
      .collection<{ reason: string }>('cases')
      .find({ personId: oid(id) })
      .toArray();
    expect(cases.map((c) => c.reason)).toEqual(['asked']);

    const answered = (await personDoc(id)).employment!;
    expect(answered.followups.map((f) => [f.months, f.answer])).toEqual([
      [1, 'still'],
      [3, 'help'],
    ]);
    expect(answered.askedAt?.m1).toBeInstanceOf(Date);
    expect(answered.askedAt?.m3).toBeInstanceOf(Date);
    clock = () => new Date();
  });

  it('every question can be skipped; "no longer there" gets a kind answer; an old button is stale', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    const asked = await p.press('privacy:me#found');
    const workQ = await p.press(offered(asked, 'employment:q-employer#skip'));
    const startQ = await p.press(offered(workQ, 'employment:q-work#skip'));
    const thanks = await p.press(offered(startQ, 'employment:q-started#skip'));
    expect(joined(thanks)).toContain('真为您高兴');
    const record = (await personDoc(id)).employment!;
    expect(record.employer).toBeUndefined();
    expect(record.work).toBeUndefined();
    expect(record.startedAt).toBeUndefined();

    clock = () => new Date(followupDueAt(record.at, 1).getTime() + HOUR);
    await (await queue().getJob(`employment-${id}-1m`))!.promote();
    const ask = await until(async () =>
      (await p.pushes()).find((r) => r.text.includes('您还在这份工作吗')),
    );
    const left = await p.press(ask.choices!.find((c) => c.label === '不在了')!.id);
    expect(joined(left)).toContain('不用灰心');
    expect(left.flatMap((r) => r.choices ?? []).map((c) => c.id)).toContain(
      'employment:left#human',
    );
    expect((await personDoc(id)).employment!.followups).toEqual([
      expect.objectContaining({ months: 1, answer: 'left' }),
    ]);
    // Found another job: the older record's buttons no longer count.
    await p.press('privacy:me#found');
    await p.press('employment:q-employer#skip');
    await p.press('employment:q-work#skip');
    await p.press('employment:q-started#week');
    const stale = await p.press(ask.choices![0]!.id);
    expect(joined(stale)).toContain('已经过期');
    expect((await personDoc(id)).employment!.followups).toEqual([]);
    clock = () => new Date();
  });

  it('needs the consent too', async () => {
    const p = person();
    await p.press('language:choose#zh');
    await p.say('菜单');
    await p.press('main:menu#me');
    const asked = await p.press('privacy:me#found');
    expect(joined(asked)).toContain('为了以后回访您');
    expect(joined(asked)).toContain('您同意吗');
    expect((await personDoc(await personIdOf(p))).employment).toBeUndefined();
    // Once agreed: the job's own questions, not the intake's (a reviewer was sent through it).
    const job = await p.press(offered(asked, 'employment:consent#agree'));
    expect(joined(job)).not.toContain('哪个区县');
    expect((await app.deps.sessions.get(`web:${p.sid}`))?.at).toBe('employment:q-employer');
  });
});

describe('what /delete must remove', () => {
  it('journeyJobIds lists the jobs waiting for a person', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    await addStep(p, '报名参加电工培训', '1m');
    await p.press('privacy:me#found');
    await p.press('employment:q-employer#skip');
    await p.press('employment:q-work#skip');
    await p.press('employment:q-started#earlier');
    const ids = journeyJobIds(await personDoc(id));
    const step = (await personDoc(id)).plan![0]!;
    expect(ids.sort()).toEqual(
      [`plan-${id}-${step.id}`, `employment-${id}-1m`, `employment-${id}-3m`].sort(),
    );
    for (const jobId of ids)
      expect(await (await queue().getJob(jobId))?.getState()).toBe('delayed');
    // A person who withdrew their consent is not reminded (the job finds nothing to do).
    await app.deps.journey.profiles.consent(id, 'profile', false, new Date());
    clock = () => new Date(new Date(step.due).getTime() + 60_000);
    await (await queue().getJob(`plan-${id}-${step.id}`))!.promote();
    await until(async () => ((await queue().getJob(`plan-${id}-${step.id}`)) ? undefined : true));
    expect(joined(await p.pushes())).not.toContain('报名参加电工培训');
    clock = () => new Date();
  });
});

describe('/mydata and /delete with a plan and a job', () => {
  it('/mydata lists them; /delete removes the person and every journey job waiting for them', async () => {
    const p = await planner();
    const id = await personIdOf(p);
    await addStep(p, '去城关区就业服务站登记', '2w');
    await p.press('privacy:me#found');
    await p.say('拉萨某物业公司');
    await p.press('employment:q-work#skip');
    await p.press('employment:q-started#week');
    const mine = joined(await p.say('我的数据'));
    expect(mine).toContain('行动计划：1个步骤，已完成0个');
    expect(mine).toContain('就业登记：');
    expect(mine).toContain('拉萨某物业公司');
    const ids = journeyJobIds(await personDoc(id));
    expect(ids).toHaveLength(3);
    const ask = await p.say('删除我的数据');
    await p.press(offered(ask, 'privacy:delete#confirm'));
    expect(await people().countDocuments({ _id: oid(id) })).toBe(0);
    for (const jobId of ids) expect(await queue().getJob(jobId)).toBeUndefined();
  });
});

describe('on Telegram, in Tibetan', () => {
  const chat = 7301;
  const buttons = (m: SentMessage) =>
    (
      m.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined
    )?.inline_keyboard?.flat() ?? [];
  /** Sends an update and waits for the first message of the answer that contains `text`. */
  async function turn(update: Parameters<BotApiServer['pushUpdate']>[0], text: string) {
    const before = bot.sent(chat).length;
    bot.pushUpdate(update);
    return bot.waitForSent(
      (m) => m.chatId === chat && bot.sent(chat).indexOf(m) >= before && m.text.includes(text),
      10_000,
    );
  }

  it('plans a step, gets the reminder as inline buttons, and answers with one', async () => {
    await turn(commandUpdate(chat, 'start'), 'ལམ་སྟོན');
    await turn(callbackUpdate(chat, 'language:choose#bo'), '');
    await turn(callbackUpdate(chat, 'privacy:me#plan'), 'མོས་མཐུན་དགོས');
    await turn(callbackUpdate(chat, 'plan:consent#agree'), '');
    await turn(callbackUpdate(chat, 'privacy:me#plan'), 'ད་དུང་བྱ་སྤྱོད་འཆར་གཞི་མེད');
    await turn(callbackUpdate(chat, 'plan:show#add'), 'ཁྱེད་རང་གི་ཚིག་གིས');
    await turn(textUpdate(chat, 'ལས་ཀའི་ངོ་ཐུག་ཚོད་ལྟར་འགྲོ་བ།'), 'དུས་ནམ་ཞིག');
    const added = await turn(callbackUpdate(chat, 'plan:when#3d'), 'བསྣན་ཟིན');
    expect(added.text).toContain('ལས་ཀའི་ངོ་ཐུག་ཚོད་ལྟར་འགྲོ་བ།');
    expect(added.text).toMatch(/ཟླ་[༠-༩]+ ཚེས་[༠-༩]+/u);

    const identity = await app.deps.mongo
      .collection('identities')
      .findOne({ _id: `telegram:${chat}` as never });
    const id = String(identity?.personId);
    const step = (await personDoc(id)).plan![0]!;
    clock = () => new Date(new Date(step.due).getTime() + 60_000);
    const before = bot.sent(chat).length;
    await (await queue().getJob(`plan-${id}-${step.id}`))!.promote();
    const reminder = await bot.waitForSent(
      (m) => m.chatId === chat && bot.sent(chat).indexOf(m) >= before && m.text.includes('དྲན་སྐུལ'),
      10_000,
    );
    expect(reminder.text).toContain('ལས་ཀའི་ངོ་ཐུག་ཚོད་ལྟར་འགྲོ་བ།');
    const [done, notYet] = buttons(reminder);
    expect(notYet?.callback_data).toBe(`jny#p:${step.id}:not`);
    await turn(callbackUpdate(chat, done!.callback_data, reminder.messageId), 'གྲུབ་ཟིན་པར');
    expect((await personDoc(id)).plan![0]!.doneAt).toBeInstanceOf(Date);
    clock = () => new Date();
  });
});
