import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './support/app.js';
import { launchBrowser } from './support/browser.js';

const TIBETAN_LETTER = /[\u0F40-\u0FBC]/u;
const SOON = { timeout: 10_000 };

// The real app (real Redis and FerretDB) on 127.0.0.1.
let url = '';
let close: () => Promise<void> = () => Promise.resolve();
let browser: Browser;

beforeAll(async () => {
  const app = await startTestApp();
  url = `${app.url}/`;
  close = () => app.close();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await close();
});

describe('web chat in Chromium', () => {
  it('greets, switches to Tibetan, answers, and renders Tibetan with the app font', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 800 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(url);

    const log = page.getByRole('log');
    await expect.poll(() => log.count(), SOON).toBe(1);
    await expect.poll(() => log.getAttribute('aria-live'), SOON).toBe('polite');

    // The greeting offers the two languages as buttons.
    const boButton = page.getByRole('button', { name: 'བོད་ཡིག' });
    await boButton.waitFor();
    await expect.poll(() => page.getByRole('button', { name: '中文' }).count(), SOON).toBe(1);
    expect(await boButton.getAttribute('lang')).toBe('bo');

    await boButton.click();
    // The pressed choice is echoed as the person's bubble and old buttons are disabled.
    await page.locator('.msg.me', { hasText: 'བོད་ཡིག' }).waitFor();
    expect(await boButton.isDisabled()).toBe(true);

    const lastReply = page.locator('.msg.bot').last();
    await expect.poll(() => lastReply.getAttribute('lang'), SOON).toBe('bo');
    expect(await lastReply.textContent()).toMatch(TIBETAN_LETTER);

    // The chrome follows the conversation into Tibetan; the input keeps an accessible name.
    const input = page.getByRole('textbox', { name: 'ཁྱེད་ཀྱི་འཕྲིན་ཡིག', exact: true });
    await input.waitFor();
    await input.fill('ལས་གནས་འཚོལ་དགོས།');
    await page.getByRole('button', { name: 'གཏོང་བ' }).click();
    await page.locator('.msg.me', { hasText: 'ལས་གནས་འཚོལ་དགོས།' }).waitFor();
    await expect.poll(() => page.locator('.msg.bot').count(), SOON).toBe(3);
    const answer = page.locator('.msg.bot').last();
    expect(await answer.getAttribute('lang')).toBe('bo');
    expect(await answer.textContent()).toMatch(TIBETAN_LETTER);

    await assertRenderedWithWebFont(page, '.msg.bot[lang="bo"] .text');

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/web-chat-bo.png' });
    await context.close();
  });

  it('labels the input and keeps working at 360px with Chinese', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    await page.goto(url);
    // Bilingual at first: the accessible name carries both languages.
    await page.getByRole('textbox', { name: /您的消息/ }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => page.locator('.msg.bot').count(), SOON).toBe(2);
    expect(await page.locator('.msg.bot').last().getAttribute('lang')).toBe('zh-CN');
    await page
      .getByRole('button', { name: '发送', exact: true })
      .and(page.locator(':enabled'))
      .waitFor();
    await page.getByRole('textbox', { name: '您的消息', exact: true }).fill('我想找工作');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.msg.bot').count(), SOON).toBe(3);
    expect(await page.locator('.msg.bot').last().textContent()).toMatch(/\p{Script=Han}/u);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(overflow).toBe(false);

    // A policy question is answered from a card, with its source and a "helpful?" button.
    const before = await page.locator('.msg.bot').count();
    await page
      .getByRole('textbox', { name: '您的消息', exact: true })
      .fill('残疾人找工作有什么扶持');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.msg.bot').count(), SOON).toBe(before + 1);
    const reply = page.locator('.msg.bot').last();
    const options = reply.getByRole('button', { name: /./ });
    if (await reply.getByRole('button', { name: '都不是' }).count()) await options.first().click();
    // The answer first, its source under "details".
    await expect
      .poll(
        () => page.locator('.msg.bot').last().getByRole('button', { name: '详细说明' }).count(),
        SOON,
      )
      .toBe(1);
    await page.locator('.msg.bot').last().getByRole('button', { name: '有帮助' }).click();
    await expect
      .poll(() => page.locator('.msg.bot').last().textContent(), SOON)
      .toContain('谢谢您的反馈');
    await context.close();
  });
});

/**
 * Proves the Tibetan glyphs came from the app's own font file (a custom web font), so they show
 * even on a system without any Tibetan font.
 */
async function assertRenderedWithWebFont(page: Page, selector: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  expect(nodeId).toBeGreaterThan(0);
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  const custom = fonts.filter((font) => font.isCustomFont && /Tibetan/.test(font.familyName));
  expect(custom, JSON.stringify(fonts)).not.toHaveLength(0);
  expect(custom.reduce((sum, font) => sum + font.glyphCount, 0)).toBeGreaterThan(10);
  await cdp.detach();
}
