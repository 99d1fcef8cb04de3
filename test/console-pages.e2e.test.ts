/**
 * The counsellor console in Chromium against the real app, Redis, FerretDB and the handoff
 * workers. People ask for a human on the web chat; a counsellor logs in, sees the case in the
 * list (a distress case appears there by itself), opens it, reads the summary and transcript,
 * is refused an empty reply, answers (the person gets it), sees the person's next line while
 * typing, schedules a follow-up and closes the case; the same in the Tibetan interface.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { launchBrowser, loggedInPage } from './support/browser.js';
import { adminApi, until, type Json } from './support/campaigns.js';
import { joined, startHandoffTestWorkers, webPerson } from './support/handoff.js';

const ADMIN_TOKEN = 'console-pages-e2e-token-0123456789';
const PASSWORD = 'a long enough password';
const SOON = { timeout: 10_000 };
/** Longer than one refresh of the list (5 s) or the case (3 s). */
const REFRESH = { timeout: 15_000 };
const HAN = /\p{Script=Han}/u;
const TIBETAN = /[\u0F40-\u0FBC]/u;

interface CaseItem {
  id: string;
  reason: string;
  status: string;
  closedBy: string | null;
  followups: { at: string; note: string }[];
  thread: { from: string; text: string; deliveredAt: string | null }[];
}

describe('counsellor console in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let workers: { close(): Promise<void> };
  const api = adminApi(() => t.url, ADMIN_TOKEN);
  const s = (lang: 'zh-CN' | 'bo', key: string, params?: Record<string, string | number>) =>
    t.deps.translator.t(lang, `admin:console.${key}`, params);
  const person = () => webPerson(() => t.url);

  /** The ids of the open cases now. */
  async function openIds(): Promise<string[]> {
    const res = await api('GET', '/api/admin/cases?status=waiting&limit=200');
    return (res.body.items as { id: string }[]).map((c) => c.id);
  }
  /** The one case opened since `before` was taken. */
  async function newCase(before: string[]): Promise<string> {
    return until(
      async () => (await openIds()).find((id) => !before.includes(id)),
      10_000,
      'a new case',
    );
  }
  const caseOf = async (id: string) =>
    (await api('GET', `/api/admin/cases/${id}`)).body as unknown as CaseItem & Json;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN });
    const made = await api('POST', '/api/admin/accounts', {
      username: 'dolma',
      role: 'counsellor',
      password: PASSWORD,
      displayName: '卓玛',
      languages: ['zh-CN', 'bo'],
    });
    expect(made.status).toBe(201);
    workers = await startHandoffTestWorkers(t.deps);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await t?.close();
  });

  /** A fresh browser session, logged in through the login page the pages redirect to. */
  const loggedIn = (username: string, path: string) =>
    loggedInPage(browser, { base: t.url, path, username, password: PASSWORD });

  async function shot(page: Page, name: string) {
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/console-pages-${name}.png`, fullPage: true });
  }

  /** A `YYYY-MM-DD` in Lhasa, `days` from today. */
  const lhasaDate = (days: number) =>
    new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

  it('works a case: list, summary, reply, live lines, follow-up, close', async () => {
    const p = person();
    await p.press('language:choose#zh');
    expect(joined(await p.say('失业登记需要带什么材料？'))).toContain('失业登记');
    const before = await openIds();
    await p.say('人工');
    const caseId = await newCase(before);

    const { close, page } = await loggedIn('dolma', '/counsellor');
    const row = page.locator(`tr[data-case-id="${caseId}"]`);
    await row.waitFor(SOON);
    expect(await row.textContent()).toContain(s('zh-CN', 'reason.asked'));
    expect(await row.textContent()).toContain('卓玛');
    expect(await row.textContent()).toContain(s('zh-CN', 'channel.web'));
    expect(await row.locator('.flag.distress').count()).toBe(0);

    // The list refreshes itself (no reload): a distress case appears, clearly marked.
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    const before2 = await openIds();
    const q = person();
    await q.press('language:choose#zh');
    expect(joined(await q.say('找了一年工作都没找到，我不想活了'))).toContain('12356');
    const distressId = await newCase(before2);
    const distressRow = page.locator(`tr[data-case-id="${distressId}"]`);
    await distressRow.waitFor(REFRESH);
    const flag = distressRow.locator('.flag.distress');
    expect(await flag.isVisible()).toBe(true);
    expect(await flag.textContent()).toContain(s('zh-CN', 'distress'));
    expect(await flag.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(
      'rgb(155, 28, 28)',
    );
    expect(await distressRow.textContent()).toContain(s('zh-CN', 'reason.distress'));
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    // Longest-waiting first.
    const order = await page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')));
    expect(order.indexOf(caseId)).toBeLessThan(order.indexOf(distressId));

    // The language filter: no Tibetan case yet, then all again; the address keeps the filter.
    await page.locator('#f-language').selectOption('bo');
    await page.locator('#cases-empty').waitFor({ state: 'visible', ...SOON });
    expect(await page.locator('tbody tr').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('language')).toBe('bo');
    await page.locator('#f-language').selectOption('');
    await row.waitFor(SOON);
    await shot(page, 'list');

    // Open the case: the summary first, then the thread and the transcript.
    await Promise.all([
      page.waitForURL(new RegExp(`/counsellor/cases/${caseId}\\?lang=zh-CN$`)),
      row.locator('a.open').click(),
    ]);
    expect(await page.locator('#s-topics').textContent()).toContain('unemployment-registration');
    expect(Number(await page.locator('#s-answered').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#s-language').textContent()).toBe(s('zh-CN', 'lang.zh-CN'));
    expect(await page.locator('#s-channel').textContent()).toBe(s('zh-CN', 'channel.web'));
    expect(await page.locator('#s-distress').textContent()).toBe(s('zh-CN', 'summary.no'));
    const asked = page.locator('#transcript .line[data-from="person"]', {
      hasText: '失业登记需要带什么材料',
    });
    expect(await asked.count()).toBeGreaterThan(0);
    expect(await page.locator('#transcript .line[data-from="assistant"]').count()).toBeGreaterThan(
      0,
    );
    expect(await asked.first().locator('.who').textContent()).toBe(s('zh-CN', 'from.person'));

    // The API refuses an empty reply: the page says so, in its language.
    await page.locator('#r-text').fill('   ');
    await page.locator('#r-send').click();
    await expect
      .poll(() => page.locator('#reply-result').getAttribute('class'), SOON)
      .toBe('error');
    expect(await page.locator('#reply-result').textContent()).toContain(
      s('zh-CN', 'error.required'),
    );

    // A reply reaches the person's chat, and shows in the thread as delivered.
    const REPLY = '您好，我是卓玛。明天上午请到城关区就业服务站。';
    await page.locator('#r-text').fill(REPLY);
    await page.locator('#r-send').click();
    await expect.poll(() => page.locator('#reply-result').getAttribute('class'), SOON).toBe('ok');
    expect(await page.locator('#r-text').inputValue()).toBe('');
    await until(async () => (joined(await p.pushes()).includes(REPLY) ? true : undefined));
    expect(joined(await p.pushes())).toContain('【就业指导员 卓玛】');
    const mine = page.locator('#thread .line[data-from="counsellor"]', { hasText: REPLY });
    await mine.waitFor(SOON);
    await expect.poll(() => mine.locator('.pending').count(), REFRESH).toBe(0);
    const thread = (await caseOf(caseId)).thread;
    expect(thread.filter((e) => e.from === 'counsellor').map((e) => e.text)).toEqual([REPLY]);
    expect(thread.find((e) => e.from === 'counsellor')?.deliveredAt).not.toBeNull();

    // The person writes while the counsellor types: the line appears, the draft stays.
    const DRAFT = '好的，那我们明天';
    await page.locator('#r-text').fill(DRAFT);
    await page.locator('#r-text').focus();
    await p.say('<b>好的</b>，我明天上午过去。');
    const answer = page.locator('#thread .line[data-from="person"]', {
      hasText: '<b>好的</b>，我明天上午过去。',
    });
    await answer.waitFor(REFRESH);
    expect(await answer.locator('b').count()).toBe(0);
    expect(await page.locator('#r-text').inputValue()).toBe(DRAFT);
    expect(await page.locator('#r-text').evaluate((e) => e === document.activeElement)).toBe(true);
    await page.locator('#r-text').fill('');

    // A follow-up: a time gone by is refused; tomorrow 10:00 in Lhasa is 02:00 UTC.
    await page.locator('#fu-at').fill(`${lhasaDate(-1)}T10:00`);
    await page.locator('#fu-submit').click();
    await expect
      .poll(() => page.locator('#followup-result').textContent(), SOON)
      .toContain(s('zh-CN', 'error.past'));
    const tomorrow = lhasaDate(1);
    await page.locator('#fu-at').fill(`${tomorrow}T10:00`);
    await page.locator('#fu-note').fill('面试准备得怎么样？');
    await page.locator('#fu-submit').click();
    await expect
      .poll(() => page.locator('#followup-result').textContent(), SOON)
      .toBe(s('zh-CN', 'followup.scheduled', { at: `${tomorrow} 10:00` }));
    await expect.poll(() => page.locator('#followups li').count(), SOON).toBe(1);
    expect(await page.locator('#followups li').textContent()).toContain('面试准备得怎么样？');
    expect((await caseOf(caseId)).followups).toEqual([
      expect.objectContaining({ at: `${tomorrow}T02:00:00.000Z`, note: '面试准备得怎么样？' }),
    ]);

    // Close asks first: dismissed, nothing happens; accepted, the case closes.
    const dialogs: string[] = [];
    let accept = false;
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      (accept ? d.accept() : d.dismiss()).catch(() => undefined);
    });
    await page.locator('#close-case').click();
    expect(dialogs).toEqual([s('zh-CN', 'close.confirm')]);
    expect((await caseOf(caseId)).status).not.toBe('closed');
    accept = true;
    await page.locator('#close-case').click();
    await expect
      .poll(() => page.locator('#c-status').textContent(), SOON)
      .toBe(s('zh-CN', 'status.closed'));
    expect(await page.locator('#close-case').isVisible()).toBe(false);
    expect(await page.locator('#close-result').textContent()).toBe(s('zh-CN', 'close.done'));
    expect(await caseOf(caseId)).toMatchObject({ status: 'closed', closedBy: 'counsellor' });
    await until(async () =>
      (await p.pushes()).some((r) => r.choices?.some((c) => c.id.startsWith('case#r:')))
        ? true
        : undefined,
    );
    await shot(page, 'case-closed');
    await close();
  });

  it('renders the Tibetan interface in Tibetan, with a Tibetan case', async () => {
    const before = await openIds();
    const p = person();
    await p.press('language:choose#bo');
    await p.say('མི་ངོ་མ');
    const caseId = await newCase(before);
    await p.say('ང་ལ་ལས་ཀ་ཞིག་དགོས།');

    const { close, page } = await loggedIn('dolma', '/counsellor?lang=bo');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('bo');
    expect(await page.locator('h1').textContent()).toBe(s('bo', 'queue.title'));
    const row = page.locator(`tr[data-case-id="${caseId}"]`);
    await row.waitFor(SOON);
    expect(await row.textContent()).toContain(s('bo', 'reason.asked'));
    expect(await row.textContent()).toContain(s('bo', 'lang.bo'));
    /** The interface's own words: Tibetan, and no Chinese. */
    const chrome = () =>
      page
        .locator('h1, h2, h3, th, dt, label, button, nav a, .who')
        .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()).filter(Boolean));
    for (const word of await chrome()) {
      expect(word).toMatch(TIBETAN);
      expect(word).not.toMatch(HAN);
    }
    await shot(page, 'list-bo');

    await Promise.all([
      page.waitForURL(new RegExp(`/counsellor/cases/${caseId}\\?lang=bo$`)),
      row.locator('a.open').click(),
    ]);
    expect(await page.locator('#s-language').textContent()).toBe(s('bo', 'lang.bo'));
    expect(await page.locator('#close-case').textContent()).toBe(s('bo', 'close.button'));
    const said = page.locator('#thread .line[data-from="person"] .text', {
      hasText: 'ང་ལ་ལས་ཀ་ཞིག་དགོས།',
    });
    await said.waitFor(SOON);
    expect(await said.getAttribute('lang')).toBe('bo');
    expect(await said.evaluate((e) => getComputedStyle(e).fontFamily)).toContain('Lamton Tibetan');
    expect(await page.locator('#r-text').getAttribute('lang')).toBe('bo');
    for (const word of await chrome()) {
      expect(word).toMatch(TIBETAN);
      expect(word).not.toMatch(HAN);
    }
    await page.locator('#r-send').click();
    await expect
      .poll(() => page.locator('#reply-result').textContent(), SOON)
      .toContain(s('bo', 'error.required'));

    await page.locator('#r-text').fill('བཀྲ་ཤིས་བདེ་ལེགས། སང་ཉིན་ཕེབས་རོགས།');
    await page.locator('#r-send').click();
    await until(async () =>
      joined(await p.pushes()).includes('སང་ཉིན་ཕེབས་རོགས') ? true : undefined,
    );
    await page
      .locator('#thread .line[data-from="counsellor"] .who', {
        hasText: s('bo', 'from.counsellor'),
      })
      .waitFor(SOON);
    await shot(page, 'case-bo');
    await close();

    // A counsellor gets the reports page's refusal, in the same style as a wrong role elsewhere.
    const again = await loggedIn('dolma', '/counsellor/reports?lang=bo');
    expect(await again.page.locator('main .error').textContent()).toBe(s('bo', 'forbidden'));
    await again.close();
  });
});
