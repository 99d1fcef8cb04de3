/**
 * The web chat page on a 360 px phone, in both languages and at 200 % text size (Chromium's
 * default font size doubled, as the browser's or WeChat's text-size setting does): one screen
 * tall, input and header that fit, a reload that keeps the conversation, tel: links, no typed
 * text lost on errors, lang on every part, focus and scrolling. Real app, real Redis/FerretDB.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './support/app.js';
import { launchBrowser } from './support/browser.js';

type Lang = 'zh-CN' | 'bo';
const SOON = { timeout: 10_000 };
const VIEWPORT = { width: 360, height: 740 };

/** `locales/<lang>/<ns>.json` → the text at a dotted key. */
function text(lang: Lang, ns: string, key: string): string {
  let node: unknown = JSON.parse(
    readFileSync(new URL(`../locales/${lang}/${ns}.json`, import.meta.url), 'utf8'),
  );
  for (const part of key.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'string') throw new Error(`${lang}/${ns}:${key} is not a string`);
  return node;
}

/** What each language needs from the conversation, straight from the locales. */
function phrases(lang: Lang) {
  const bo = lang === 'bo';
  return {
    pick: bo ? 'བོད་ཡིག' : '中文',
    menuInterview: text(lang, 'main', 'menu.interview'),
    practice: text(lang, 'interview', 'choice.practice'),
    q1: text(lang, 'interview', 'practice.q1'),
    q2: text(lang, 'interview', 'practice.q2'),
    q3: text(lang, 'interview', 'practice.q3'),
    model2: text(lang, 'interview', 'practice.model2').slice(0, 12),
    placeholder: text(lang, 'web', 'inputPlaceholder'),
    rateLimited: text(lang, 'web', 'rateLimited'),
    answer: bo ? 'ང་ལ་ལས་ཀ་འདི་དགའ། ང་ལ་ཉམས་མྱོང་ཡོད།' : '我喜欢这份工作，我有相关经验。',
    human: bo ? 'ལམ་སྟོན་པ' : '人工',
    thanks: bo ? 'ཐུགས་རྗེ་ཆེ' : '谢谢',
    longQuestion: bo ? 'ལས་ཤོར་ན་ཅི་བྱེད།' : '失业了怎么办理失业登记',
    chatter: bo ? 'དཀར་ཆག' : '菜单',
  };
}
const L = { 'zh-CN': phrases('zh-CN'), bo: phrases('bo') };

let url = '';
let close: () => Promise<void> = () => Promise.resolve();
let browser: Browser;

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

beforeAll(async () => {
  const app = await startTestApp({ ADMIN_TOKEN });
  url = app.url;
  close = () => app.close();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await close();
});

/** A 360×740 phone; `textSize: 2` doubles Chromium's default font size before the page loads. */
async function phone(textSize = 1): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  if (textSize !== 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.enable');
    await cdp.send('Page.setFontSizes', {
      fontSizes: { standard: 16 * textSize, fixed: 13 * textSize },
    });
  }
  await page.goto(`${url}/`);
  await page.locator('.msg.bot .choice').first().waitFor(SOON);
  return { context, page };
}

/** Opens the page and picks `lang` with the greeting's button. */
async function chat(lang: Lang, textSize = 1) {
  const opened = await phone(textSize);
  await opened.page.getByRole('button', { name: L[lang].pick, exact: true }).click();
  await expect.poll(() => opened.page.locator('.msg.bot').count(), SOON).toBe(2);
  await expect
    .poll(() => opened.page.evaluate(() => document.documentElement.lang), SOON)
    .toBe(lang);
  return opened;
}

const bots = (page: Page) => page.locator('.msg.bot');

async function say(page: Page, text: string): Promise<void> {
  const before = await bots(page).count();
  await page.locator('#send:enabled').waitFor(SOON);
  await page.locator('#input').fill(text);
  await page.keyboard.press('Enter');
  await expect.poll(() => bots(page).count(), SOON).toBeGreaterThan(before);
  await page.locator('#send:enabled').waitFor(SOON);
}

async function press(page: Page, label: string): Promise<void> {
  const before = await bots(page).count();
  await bots(page).last().getByRole('button', { name: label, exact: true }).click();
  await expect.poll(() => bots(page).count(), SOON).toBeGreaterThan(before);
  await page.locator('#send:enabled').waitFor(SOON);
}

/** Text nodes in Han or Tibetan whose nearest lang (inside the page's own elements) is wrong. */
function wrongLangs(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const root = document.querySelector('.app')!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue ?? '';
      const bo = /[\u0F40-\u0FBC]/u.test(text);
      const zh = /\p{Script=Han}/u.test(text);
      if (!bo && !zh) continue;
      const owner = node.parentElement?.closest('[lang]');
      const want = bo && !zh ? 'bo' : zh && !bo ? 'zh-CN' : null;
      if (!owner || !root.contains(owner) || (want && owner.getAttribute('lang') !== want))
        bad.push(`${owner?.getAttribute('lang') ?? '(none)'}: ${text.slice(0, 30)}`);
    }
    return bad;
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: `test-results/web-page-${name}.png` });
}

describe.each(['zh-CN', 'bo'] as const)('web page at 360×740 in %s', (lang) => {
  const l = L[lang];

  it.each([1, 2])(
    'is exactly one screen tall after many messages, the log scrolls (text size ×%i)',
    async (textSize) => {
      const { context, page } = await chat(lang, textSize);
      for (let i = 0; i < 8; i++) await say(page, l.chatter);
      const sizes = await page.evaluate(() => {
        window.scrollTo(0, 100_000);
        const log = document.getElementById('log')!;
        return {
          doc: document.documentElement.scrollHeight,
          body: document.body.scrollHeight,
          inner: window.innerHeight,
          scrollY: window.scrollY,
          logScrolls: log.scrollHeight > log.clientHeight,
        };
      });
      expect(sizes).toEqual({
        doc: VIEWPORT.height,
        body: VIEWPORT.height,
        inner: VIEWPORT.height,
        scrollY: 0,
        logScrolls: true,
      });
      // A swipe up on the log scrolls the log, never the page.
      await page.mouse.wheel(0, -2000);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      await shot(page, `${lang}-many-x${textSize}`);
      await context.close();
    },
  );

  it('shows the whole placeholder, bilingual at first and in the chosen language after', async () => {
    const fits = (page: Page) =>
      page.evaluate(() => {
        const input = document.getElementById('input') as HTMLTextAreaElement;
        input.value = input.placeholder; // no input event: the box keeps its size
        const out = {
          placeholder: input.placeholder,
          scrollWidth: input.scrollWidth,
          clientWidth: input.clientWidth,
          scrollHeight: input.scrollHeight,
          clientHeight: input.clientHeight,
        };
        input.value = '';
        return out;
      });
    const { context, page } = await phone();
    const first = await fits(page);
    expect(first.placeholder).toContain(L['zh-CN'].placeholder);
    expect(first.placeholder).toContain(L.bo.placeholder);
    expect(first.scrollWidth).toBeLessThanOrEqual(first.clientWidth);
    expect(first.scrollHeight).toBeLessThanOrEqual(first.clientHeight);
    // One line at the normal text size: the box has not grown to fit it.
    expect(first.clientHeight).toBeLessThan(60);
    await page.getByRole('button', { name: l.pick, exact: true }).click();
    await expect
      .poll(() => page.locator('#input').getAttribute('placeholder'), SOON)
      .toBe(l.placeholder);
    const chosen = await fits(page);
    expect(chosen.scrollHeight).toBeLessThanOrEqual(chosen.clientHeight);
    expect(chosen.clientHeight).toBeLessThan(60);
    await context.close();

    // At 200 % the box grows to show all of it rather than cutting it off.
    const big = await phone(2);
    const large = await fits(big.page);
    expect(large.scrollHeight).toBeLessThanOrEqual(large.clientHeight);
    await big.context.close();
  });

  it('keeps the header compact at 200 % text size, so the conversation has the height', async () => {
    const { context, page } = await phone(2);
    const measure = () =>
      page.evaluate(() => ({
        header: document.querySelector('.bar')!.getBoundingClientRect().height,
        log: document.getElementById('log')!.clientHeight,
        text: parseFloat(getComputedStyle(document.querySelector('.msg.bot .text')!).fontSize),
      }));
    const bilingual = await measure();
    expect(bilingual.header).toBeLessThan(VIEWPORT.height * 0.14);
    expect(bilingual.log).toBeGreaterThan(VIEWPORT.height * 0.55);
    expect(bilingual.text).toBeGreaterThanOrEqual(32); // the text size really is doubled
    await page.getByRole('button', { name: l.pick, exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang), SOON).toBe(lang);
    const chosen = await measure();
    expect(chosen.header).toBeLessThan(VIEWPORT.height * 0.14);
    expect(chosen.log).toBeGreaterThan(VIEWPORT.height * 0.55);
    await shot(page, `${lang}-x2`);
    await context.close();
  });

  it('keeps the conversation across a reload and the interview practice goes on', async () => {
    const { context, page } = await chat(lang);
    await press(page, l.menuInterview);
    await press(page, l.practice);
    await expect.poll(() => bots(page).last().textContent(), SOON).toContain(l.q1);
    await say(page, l.answer);
    await expect.poll(() => bots(page).last().textContent(), SOON).toContain(l.q2);
    const before = await page.locator('.msg').allTextContents();

    await page.reload();
    await expect.poll(() => page.locator('.msg').count(), SOON).toBe(before.length);
    expect(await page.locator('.msg').allTextContents()).toEqual(before);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
    expect(await page.locator('#input').getAttribute('placeholder')).toBe(l.placeholder);
    // Only the last buttons are live; the pressed ones show as pressed.
    expect(await page.locator('.choice:enabled').count()).toBe(
      await bots(page).last().locator('.choice').count(),
    );
    expect(await page.locator('.choice.picked').count()).toBe(3);
    expect(await wrongLangs(page)).toEqual([]);

    // The practice continues at question 2: the answer brings model answer 2 and question 3.
    await say(page, l.answer);
    const next = (await bots(page).last().textContent()) ?? '';
    expect(next).toContain(l.model2);
    expect(next).toContain(l.q3);
    await context.close();
  });

  it('turns service numbers into tel: links built as elements', async () => {
    const { context, page } = await chat(lang);
    await say(page, l.human);
    const link = bots(page).last().locator('a[href^="tel:"]');
    await expect.poll(() => link.count(), SOON).toBeGreaterThan(0);
    expect(await link.first().getAttribute('href')).toBe('tel:12333');
    expect(await link.first().textContent()).toBe('12333');
    // Server text is never HTML, and only phone-like numbers become links.
    await page.route('**/api/chat/messages', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          replies: [
            {
              lang,
              text: '<img src=x onerror="window.pwned=1"> 12356 / 120 / 0891-6324567 · 2024 · 1500 · 〔2023〕181 · 30000元',
            },
          ],
        }),
      }),
    );
    await say(page, 'x');
    const last = bots(page).last();
    expect(await last.locator('img').count()).toBe(0);
    expect(await last.textContent()).toContain('<img src=x');
    expect(
      await last.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ).toEqual(['tel:12356', 'tel:120', 'tel:08916324567']);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    await context.close();
  });

  it('keeps the text after a 429, says so in the chosen language, and sends it after Retry-After', async () => {
    const { context, page } = await chat(lang);
    const before = await bots(page).count();
    // Spend the session's whole burst (bodies that are not even valid count too), then send at
    // once, so no token can come back in between.
    const spent = await page.evaluate(async (text) => {
      let spent = 0;
      for (;;) {
        const res = await fetch('/api/chat/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        spent++;
        if (res.status === 429 || spent > 100) break;
      }
      (document.getElementById('input') as HTMLTextAreaElement).value = text;
      (document.getElementById('composer') as HTMLFormElement).requestSubmit();
      return spent;
    }, l.thanks);
    expect(spent).toBeGreaterThan(5);
    const error = page.locator('.msg.error');
    await error.waitFor(SOON);
    expect(await error.getAttribute('lang')).toBe(lang);
    expect(await error.textContent()).toContain(l.rateLimited);
    expect(await page.locator('#input').inputValue()).toBe(l.thanks);
    expect(await page.locator('.msg.me', { hasText: l.thanks }).count()).toBe(0);
    // After Retry-After (about a second) it goes by itself, once.
    await expect.poll(() => bots(page).count(), { timeout: 5_000 }).toBe(before + 1);
    expect(await error.count()).toBe(0);
    expect(await page.locator('#input').inputValue()).toBe('');
    expect(await page.locator('.msg.me', { hasText: l.thanks }).count()).toBe(1);
    await context.close();
  });

  it.each([
    ['a network failure', 'abort'],
    ['a 500', 500],
    ['a 503 with Retry-After', 503],
  ] as const)('never loses the typed text on %s; retry sends it once', async (_name, failure) => {
    const { context, page } = await chat(lang);
    const sent: string[] = [];
    let failing = true;
    await page.route('**/api/chat/messages', async (route) => {
      const body = route.request().postDataJSON() as { clientId: string };
      sent.push(body.clientId);
      if (!failing) return route.continue();
      if (failure === 'abort') return route.abort('connectionreset');
      return route.fulfill({
        status: failure,
        contentType: 'application/json',
        headers: failure === 503 ? { 'retry-after': '30' } : {},
        body: JSON.stringify({ error: 'internal' }),
      });
    });
    const before = await bots(page).count();
    await page.locator('#input').fill(l.thanks);
    await page.keyboard.press('Enter');
    await page.locator('.msg.error').waitFor(SOON);
    expect(await page.locator('#input').inputValue()).toBe(l.thanks);
    expect(await wrongLangs(page)).toEqual([]);
    failing = false;
    await page.locator('.msg.error .retry').click();
    await expect.poll(() => bots(page).count(), SOON).toBe(before + 1);
    expect(await page.locator('#input').inputValue()).toBe('');
    expect(new Set(sent).size).toBe(1); // every attempt under the same clientId
    expect(await page.locator('.msg.error').count()).toBe(0);
    await context.close();
  });

  it('sends nothing for a message of only invisible characters (it showed a network error)', async () => {
    const { context, page } = await chat(lang);
    const before = await bots(page).count();
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/chat/messages')) posted.push(r.method());
    });
    await page.locator('#input').fill('\u200B\u200B \u202E');
    await page.locator('#input').press('Enter');
    await page.waitForTimeout(300);
    expect(posted).toEqual([]);
    expect(await page.locator('.msg.error').count()).toBe(0);
    expect(await bots(page).count()).toBe(before);
    await context.close();
  });

  it('marks every bubble and each language of a bilingual bubble with its lang', async () => {
    const { context, page } = await phone();
    const greeting = bots(page).first();
    expect(await greeting.getAttribute('data-bilingual')).toBe('true');
    expect(
      await greeting.locator('.part').evaluateAll((ps) => ps.map((p) => p.getAttribute('lang'))),
    ).toEqual(['zh-CN', 'bo']);
    expect(await wrongLangs(page)).toEqual([]);
    await page.getByRole('button', { name: l.pick, exact: true }).click();
    await expect.poll(() => bots(page).count(), SOON).toBe(2);
    await say(page, l.longQuestion);
    expect(await bots(page).last().getAttribute('lang')).toBe(lang);
    expect(await page.locator('.msg.me').last().getAttribute('lang')).toBe(lang);
    expect(await wrongLangs(page)).toEqual([]);
    await context.close();
  });

  it('puts the focus back in the text input after a button', async () => {
    const { context, page } = await phone();
    await page.getByRole('button', { name: l.pick, exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), SOON).toBe('input');
    await expect.poll(() => bots(page).count(), SOON).toBe(2);
    await page.locator('#send:enabled').waitFor(SOON);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await press(page, l.menuInterview);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('input');
    await context.close();
  });

  it('shows the start of a long answer, and the end of a short one', async () => {
    const where = (page: Page, index: number) =>
      page.evaluate((index) => {
        const log = document.getElementById('log')!;
        const answer = log.children[index + 1]!; // after the person's own bubble
        const box = log.getBoundingClientRect();
        const top = answer.getBoundingClientRect().top;
        return {
          long: answer.getBoundingClientRect().height > log.clientHeight,
          startVisible: top >= box.top - 1 && top < box.top + log.clientHeight / 2,
          atBottom: log.scrollTop + log.clientHeight >= log.scrollHeight - 2,
        };
      }, index);

    // A long answer with its buttons (the interview tips, twice over).
    const tips = [
      text(lang, 'interview', 'tips.before'),
      text(lang, 'interview', 'tips.during'),
      text(lang, 'interview', 'tips.after'),
    ].join('\n\n');
    const long = await chat(lang);
    await long.page.route('**/api/chat/messages', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          replies: [
            {
              lang,
              text: `${tips}\n\n${tips}`,
              choices: [{ id: 'main:menu#x', label: l.menuInterview }],
            },
          ],
        }),
      }),
    );
    let before = await long.page.locator('.log > .msg').count();
    await say(long.page, l.longQuestion);
    expect(await where(long.page, before)).toEqual({
      long: true,
      startVisible: true,
      atBottom: false,
    });
    await long.context.close();

    // A real policy answer at 200 % text size.
    const { context, page } = await chat(lang, 2);
    before = await page.locator('.log > .msg').count();
    await say(page, l.longQuestion);
    expect(await where(page, before)).toEqual({ long: true, startVisible: true, atBottom: false });
    await shot(page, `${lang}-long-answer-x2`);
    await context.close();

    // A short reply fits with the question above it: the log simply ends with it.
    const short = await chat(lang);
    await short.page.route('**/api/chat/messages', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ replies: [{ lang, text: lang === 'bo' ? 'ལགས་སོ།' : '好的。' }] }),
      }),
    );
    await say(short.page, l.thanks);
    expect(
      await short.page.evaluate(() => {
        const log = document.getElementById('log')!;
        return (
          log.scrollHeight > log.clientHeight &&
          log.scrollTop + log.clientHeight >= log.scrollHeight - 2
        );
      }),
    ).toBe(true);
    await short.context.close();
  });
});

describe('/docs', () => {
  it('shows Tibetan with the app font, from the app itself', async () => {
    // The docs are for administrators: the browser logs in with the admin token.
    const page = await browser.newPage({
      viewport: { width: 1000, height: 800 },
      httpCredentials: { username: 'admin', password: ADMIN_TOKEN },
    });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(url)) external.push(request.url());
    });
    await page.goto(`${url}/docs`);
    const description = page.locator('.swagger-ui .info .renderedMarkdown p');
    await description.waitFor(SOON);
    expect(await description.textContent()).toMatch(/[\u0F40-\u0FBC]/u);
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', {
      nodeId: root.nodeId,
      selector: '.swagger-ui .info .renderedMarkdown p',
    });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    const tibetan = fonts.filter((f) => f.isCustomFont && /Tibetan/.test(f.familyName));
    expect(tibetan, JSON.stringify(fonts)).not.toHaveLength(0);
    expect(external).toEqual([]);
    await page.close();
  });
});
