/**
 * Issue 10, "watching it": the campaign pages in Chromium against the real app, Redis, FerretDB,
 * the campaign workers and a loopback Bot API server. An administrator logs in, writes a
 * campaign with a live preview, meets a field error, sends it and watches it complete; approves
 * and cancels; the Tibetan list; a supervisor only watches.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personModels } from '../src/people/person.model.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startBotApiServer, type BotApiServer } from './support/bot-api/index.js';
import { launchBrowser, loggedInPage } from './support/browser.js';
import { seedPeople, startWorkers } from './support/campaigns.js';

const ADMIN_TOKEN = 'campaign-pages-e2e-token-0123456789';
const PASSWORD = 'a long enough password';
const ZH = '春风行动招聘会12月10日上午在城关区举行，欢迎参加。';
const BO = 'དཔྱིད་རླུང་བྱ་འགུལ་གྱི་ལས་མི་འདེད་འཛུགས་ཚོགས་འདུ་ཁྲིན་ཀོན་ཆུས་སུ་འཚོགས་རྒྱུ་ཡིན།';
const SOON = { timeout: 10_000 };

describe('campaign pages in Chromium', () => {
  let api: BotApiServer;
  let t: TestApp;
  let browser: Browser;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let pemaToken = '';
  const s = (lang: 'zh-CN' | 'bo', key: string, params?: Record<string, string | number>) =>
    t.deps.translator.t(lang, `admin:campaigns.${key}`, params);

  async function call(method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    api = await startBotApiServer();
    t = await startTestApp({
      ADMIN_TOKEN,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
      QUIET_HOURS: '00:00-00:00',
      // More than 3 recipients waits for a second administrator.
      CAMPAIGN_APPROVAL_THRESHOLD: '3',
    });
    for (const [username, role] of [
      ['pema', 'admin'],
      ['sonam', 'supervisor'],
    ] as const) {
      const made = await call('POST', '/api/admin/accounts', {
        username,
        role,
        password: PASSWORD,
      });
      expect(made.status).toBe(201);
      if (username === 'pema')
        pemaToken = String(
          (
            await call('POST', `/api/admin/accounts/${String(made.body.id)}/tokens`, {
              name: 'e2e',
            })
          ).body.token,
        );
    }
    await seedPeople(t.deps.mongo, [
      ...[1, 2, 3].map((i) => ({
        chatId: String(9000 + i),
        language: 'zh-CN' as const,
        district: '城关区',
      })),
      ...[4, 5, 6].map((i) => ({
        chatId: String(9000 + i),
        language: 'bo' as const,
        district: '达孜区',
      })),
    ]);
    workers = await startWorkers(t.deps);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await t?.close();
    await api?.close();
  });

  /** A fresh browser session, logged in through the login page the pages redirect to. */
  const loggedIn = (username: string, path: string) =>
    loggedInPage(browser, { base: t.url, path, username, password: PASSWORD });

  async function shot(page: Page, name: string) {
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/campaign-pages-${name}.png`, fullPage: true });
  }

  it('writes a campaign with a live preview and field errors, then watches it complete', async () => {
    const { close, page } = await loggedIn('pema', '/admin/campaigns/new');
    await page.locator('#f-title').fill('春风行动招聘会');
    await page.locator('#f-zh').fill(ZH);
    await page.locator('#f-bo').fill(BO);
    expect(await page.locator('#f-bo').getAttribute('lang')).toBe('bo');
    expect(await page.locator('#f-bo').evaluate((e) => getComputedStyle(e).fontFamily)).toContain(
      'Lamton Tibetan',
    );

    // The preview: Telegram in both languages, with the channel's notice under the text.
    const tgZh = page.locator('.preview-item[data-channel="telegram"][data-lang="zh-CN"]');
    const tgBo = page.locator('.preview-item[data-channel="telegram"][data-lang="bo"]');
    await tgZh.waitFor(SOON);
    await expect.poll(() => tgZh.locator('.bubble').first().textContent(), SOON).toContain(ZH);
    expect(await tgZh.locator('.bubble').first().textContent()).toContain('/stop');
    await expect.poll(() => tgBo.locator('.bubble').first().textContent(), SOON).toContain(BO);
    expect(await tgBo.locator('.bubble').first().getAttribute('lang')).toBe('bo');
    expect(await tgZh.locator('h3').textContent()).toContain(s('zh-CN', 'channel.telegram'));
    expect(await page.locator('.preview-item .warn').count()).toBe(0);

    // Too long for one Telegram message: a warning on the preview, before anything is sent.
    await page.locator('#f-zh').fill('政'.repeat(4100));
    await expect.poll(() => tgZh.locator('.warn').count(), SOON).toBe(1);
    expect(await tgZh.locator('.warn').textContent()).toBe(s('zh-CN', 'preview.tooLong', { n: 2 }));
    await expect
      .poll(() => page.locator('#preview-problems li[data-path="message.zh-CN"]').count(), SOON)
      .toBeGreaterThan(0);
    await page.locator('#f-zh').fill(ZH);
    await expect.poll(() => page.locator('.preview-item .warn').count(), SOON).toBe(0);

    // Invalid: Chinese in the Tibetan box; the API's 400 is shown next to that field.
    await page.locator('#f-bo').fill('这是中文');
    await page.locator('input[name="districts"][value="城关区"]').check();
    await page.locator('#submit').click();
    const boError = page.locator('.field-error[data-error-for="message.bo"]');
    await boError.waitFor({ state: 'visible', ...SOON });
    expect(await boError.textContent()).toContain(s('zh-CN', 'error.notTibetan'));
    expect(await page.locator('#f-bo').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#form-error').textContent()).toBe(s('zh-CN', 'error.form'));
    expect(await page.locator('.field-error[data-error-for="title"]').isVisible()).toBe(false);
    expect(new URL(page.url()).pathname).toBe('/admin/campaigns/new');
    await shot(page, 'form-error');

    // Valid: lands on the campaign page.
    await page.locator('#f-bo').fill(BO);
    await Promise.all([
      page.waitForURL(/\/admin\/campaigns\/[0-9a-f]{24}\?lang=zh-CN$/),
      page.locator('#submit').click(),
    ]);
    expect(await page.locator('h1').textContent()).toBe('春风行动招聘会');
    expect(await page.locator('.text[lang="bo"]').textContent()).toBe(BO);
    expect(await page.locator('dl.audience').textContent()).toContain('城关区');

    // The progress bar fills as the workers send (3 people in 城关区), and the polling stops.
    await expect
      .poll(() => page.locator('#c-status').textContent(), { timeout: 20_000 })
      .toBe(s('zh-CN', 'status.completed'));
    expect(
      await page.locator('#c-progress').evaluate((e) => (e as HTMLProgressElement).value),
    ).toBe(100);
    expect(await page.locator('#c-progress-text').textContent()).toBe('100%');
    expect(await page.locator('#stat-sent').textContent()).toBe('3');
    expect(await page.locator('#stat-recipients').textContent()).toBe('3');
    expect(await page.locator('#stat-pending').textContent()).toBe('0');
    expect(await page.locator('#cancel').isVisible()).toBe(false);
    for (const chat of [9001, 9002, 9003]) expect(api.sent(chat)).toHaveLength(1);
    expect(api.sent(9004)).toEqual([]);
    let polls = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/admin/campaigns/')) polls++;
    });
    await page.waitForTimeout(2500);
    expect(polls).toBe(0);
    await shot(page, 'completed');
    await close();
  });

  it('shows the list in Tibetan, with Tibetan status labels and Lhasa time', async () => {
    const { close, page } = await loggedIn('pema', '/admin/campaigns');
    expect(await page.locator('tbody .status').first().textContent()).toBe(
      s('zh-CN', 'status.completed'),
    );
    await Promise.all([page.waitForURL(/lang=bo/), page.locator('a.lang-switch').click()]);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('bo');
    expect(await page.locator('tbody .status').first().textContent()).toBe(
      s('bo', 'status.completed'),
    );
    expect(await page.locator('h1').textContent()).toBe(s('bo', 'title'));
    expect(await page.locator('#new-campaign').textContent()).toBe(s('bo', 'new'));
    expect(await page.locator('tbody progress').first().getAttribute('value')).toBe('100');
    const time = page.locator('tbody time').first();
    const iso = String(await time.getAttribute('datetime'));
    const lhasa = new Date(Date.parse(iso) + 8 * 3_600_000)
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ');
    expect(await time.textContent()).toBe(lhasa);
    await shot(page, 'list-bo');
    await close();
  });

  it('approves (not one’s own), cancels after a confirm, and shows a test send’s answer', async () => {
    // Pema's own campaign for everyone (6 > 3): waiting for a second administrator.
    const own = await call(
      'POST',
      '/api/admin/campaigns',
      { title: '自己的', message: { 'zh-CN': ZH, bo: BO } },
      pemaToken,
    );
    expect(own.body.status).toBe('pending_approval');
    const { close, page } = await loggedIn(
      'pema',
      `/admin/campaigns/${String(own.body.id)}?lang=bo`,
    );
    expect(await page.locator('#c-status').textContent()).toBe(s('bo', 'status.pending_approval'));
    await page.locator('#approve').click();
    await expect
      .poll(() => page.locator('#action-result').textContent(), SOON)
      .toContain(s('bo', 'error.secondAdmin'));
    expect(await page.locator('#action-result').textContent()).toContain(
      'a second administrator must approve',
    );
    expect(await page.locator('#c-status').textContent()).toBe(s('bo', 'status.pending_approval'));

    // The admin account's campaign: Pema approves it, and it goes out to all six.
    const other = await call('POST', '/api/admin/campaigns', {
      title: '第二位管理员',
      message: { 'zh-CN': ZH, bo: BO },
    });
    expect(other.body.status).toBe('pending_approval');
    await page.goto(`${t.url}/admin/campaigns/${String(other.body.id)}?lang=zh-CN`);
    await page.locator('#approve').click();
    await expect
      .poll(() => page.locator('#action-result').textContent(), SOON)
      .toBe(s('zh-CN', 'action.approved'));
    expect(await page.locator('#approve').isVisible()).toBe(false);
    expect(await page.locator('#c-approved-by').textContent()).toBe('pema');
    await expect
      .poll(() => page.locator('#c-status').textContent(), { timeout: 20_000 })
      .toBe(s('zh-CN', 'status.completed'));
    expect(await page.locator('#stat-sent').textContent()).toBe('6');

    // Cancel asks first: dismissed, nothing happens; accepted, the campaign is cancelled.
    const later = await call('POST', '/api/admin/campaigns', {
      title: '明年的',
      message: { 'zh-CN': ZH, bo: BO },
      audience: { districts: ['城关区'] },
      sendAt: new Date(Date.now() + 200 * 86_400_000).toISOString(),
    });
    expect(later.body.status).toBe('scheduled');
    await page.goto(`${t.url}/admin/campaigns/${String(later.body.id)}?lang=zh-CN`);
    const dialogs: string[] = [];
    let accept = false;
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      (accept ? d.accept() : d.dismiss()).catch(() => undefined);
    });
    await page.locator('#cancel').click();
    expect(dialogs).toEqual([s('zh-CN', 'action.confirmCancel')]);
    expect(await page.locator('#c-status').textContent()).toBe(s('zh-CN', 'status.scheduled'));
    accept = true;
    await page.locator('#cancel').click();
    await expect
      .poll(() => page.locator('#c-status').textContent(), SOON)
      .toBe(s('zh-CN', 'status.cancelled'));
    expect(await page.locator('#cancel').isVisible()).toBe(false);
    expect((await call('GET', `/api/admin/campaigns/${String(later.body.id)}`)).body.status).toBe(
      'cancelled',
    );

    // A test send to one's own Telegram chat (one that has written to us): the API's answer,
    // and a refusal next to it.
    await personModels(t.deps.mongo).Identity.create({
      _id: 'telegram:4242',
      personId: new Types.ObjectId(),
      channel: 'telegram',
      createdAt: new Date(),
    });
    await page.locator('#t-channel').selectOption('telegram');
    await page.locator('#t-address').fill('4242');
    await page.locator('#test-send').click();
    await expect
      .poll(() => page.locator('#test-result').textContent(), SOON)
      .toBe(s('zh-CN', 'test.sent', { n: 2 }));
    expect(api.sent(4242).map((m) => m.text.includes(ZH) || m.text.includes(BO))).toEqual([
      true,
      true,
    ]);
    await page.locator('#t-address').fill('not a chat id!');
    await page.locator('#test-send').click();
    await expect.poll(() => page.locator('#test-result').getAttribute('class'), SOON).toBe('error');
    expect(await page.locator('#test-result').textContent()).toContain('address');
    await shot(page, 'cancelled');
    await close();
  });

  it('lets a supervisor watch, with no action and no new campaign', async () => {
    const pending = await call('POST', '/api/admin/campaigns', {
      title: '主管只看',
      message: { 'zh-CN': ZH, bo: BO },
    });
    expect(pending.body.status).toBe('pending_approval');
    const path = `/admin/campaigns/${String(pending.body.id)}`;
    const { close, page } = await loggedIn('sonam', path);
    expect(await page.locator('h1').textContent()).toBe('主管只看');
    expect(await page.locator('#c-status').textContent()).toBe(
      s('zh-CN', 'status.pending_approval'),
    );
    expect(await page.locator('#approve, #cancel, #test-form').count()).toBe(0);
    await page.goto(`${t.url}/admin/campaigns`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#new-campaign').count()).toBe(0);
    const form = await page.goto(`${t.url}/admin/campaigns/new`);
    expect(form?.status()).toBe(403);
    expect(await page.locator('main').textContent()).toContain(s('zh-CN', 'forbidden'));
    await close();

    // The same page for an administrator has the buttons (so their absence above means something).
    const admin = await loggedIn('pema', path);
    expect(await admin.page.locator('#approve').isVisible()).toBe(true);
    expect(await admin.page.locator('#cancel').isVisible()).toBe(true);
    await admin.close();
  });
});
