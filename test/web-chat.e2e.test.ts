import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  InboundEvent,
  InboundHandler,
  Lang,
  OutgoingMessage,
} from '../src/channels/channel.js';
import { webUiStringsFromLocales } from '../src/channels/web/ui-strings.js';
import { webChatRoutes } from '../src/channels/web/web.routes.js';
import { launchBrowser } from './support/browser.js';

const TIBETAN_LETTER = /[\u0F40-\u0FBC]/u;

// The body of this file only needs `url`. Until test/support/app.ts (the real app) exists, a
// small server with the web routes and a stub assistant stands in; swap in
// `const app = await startTestApp(); url = app.url; close = () => app.close();`.
let url = '';
let close: () => Promise<void> = () => Promise.resolve();
let browser: Browser;

beforeAll(async () => {
  const server = await startStubServer();
  url = server.url;
  close = server.close;
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
    await expect.poll(() => log.count()).toBe(1);
    await expect.poll(() => log.getAttribute('aria-live')).toBe('polite');

    // The greeting offers the two languages as buttons.
    const boButton = page.getByRole('button', { name: 'བོད་ཡིག' });
    await boButton.waitFor();
    await expect.poll(() => page.getByRole('button', { name: '中文' }).count()).toBe(1);
    expect(await boButton.getAttribute('lang')).toBe('bo');

    await boButton.click();
    // The pressed choice is echoed as the person's bubble and old buttons are disabled.
    await page.locator('.msg.me', { hasText: 'བོད་ཡིག' }).waitFor();
    expect(await boButton.isDisabled()).toBe(true);

    const lastReply = page.locator('.msg.bot').last();
    await expect.poll(() => lastReply.getAttribute('lang')).toBe('bo');
    expect(await lastReply.textContent()).toMatch(TIBETAN_LETTER);

    // The chrome follows the conversation into Tibetan; the input keeps an accessible name.
    const input = page.getByRole('textbox', { name: 'ཁྱེད་ཀྱི་འཕྲིན་ཡིག' });
    await input.waitFor();
    await input.fill('ལས་གནས་འཚོལ་དགོས།');
    await page.getByRole('button', { name: 'གཏོང་བ' }).click();
    await page.locator('.msg.me', { hasText: 'ལས་གནས་འཚོལ་དགོས།' }).waitFor();
    await expect.poll(() => page.locator('.msg.bot').count()).toBe(3);
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
    await expect.poll(() => page.locator('.msg.bot').last().getAttribute('lang')).toBe('zh-CN');
    await page.getByRole('textbox', { name: '您的消息' }).fill('我想找工作');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.msg.bot').count()).toBe(3);
    expect(await page.locator('.msg.bot').last().textContent()).toContain('我想找工作');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(overflow).toBe(false);
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

/** A stand-in for the real app: the web routes over a stub that imitates the assistant. */
async function startStubServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    keyPrefix: `test:web-e2e:${randomUUID()}:`,
  });
  const app = Fastify({ logger: false });
  await app.register(cookie, { secret: 'test' });
  await app.register(
    webChatRoutes({ handleInbound: stubAssistant(), redis, uiStrings: webUiStringsFromLocales() }),
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `${address}/`,
    close: async () => {
      await app.close();
      await redis.quit();
    },
  };
}

function stubAssistant(): InboundHandler {
  const langs = new Map<string, Lang>();
  return (event) => Promise.resolve(reply(event));

  function reply(event: InboundEvent): OutgoingMessage[] {
    const { input } = event;
    if (input.kind === 'command') {
      return [
        {
          text: '您好！我是就业服务助手。请选择语言。\nབཀྲ་ཤིས་བདེ་ལེགས། སྐད་ཡིག་འདེམས་རོགས།',
          lang: 'zh-CN',
          choices: [
            { id: 'lang:zh-CN', label: '中文' },
            { id: 'lang:bo', label: 'བོད་ཡིག' },
          ],
        },
      ];
    }
    if (input.kind === 'choice' && input.id.startsWith('lang:')) {
      const lang: Lang = input.id === 'lang:bo' ? 'bo' : 'zh-CN';
      langs.set(event.chatId, lang);
      return lang === 'bo'
        ? [
            {
              text: 'ཁྱེད་ལ་རོགས་རམ་ཅི་ཞིག་དགོས། ལས་གནས་དང་སྲིད་ཇུས་སྐོར་དྲི་བ་གཏོང་ཆོག',
              lang: 'bo',
              choices: [
                { id: 'menu:jobs', label: 'ལས་གནས' },
                { id: 'menu:policy', label: 'སྲིད་ཇུས' },
              ],
            },
          ]
        : [
            {
              text: '请问需要什么帮助？可以问岗位和政策。',
              lang: 'zh-CN',
              choices: [
                { id: 'menu:jobs', label: '岗位' },
                { id: 'menu:policy', label: '政策' },
              ],
            },
          ];
    }
    const lang = langs.get(event.chatId) ?? 'zh-CN';
    const said = input.kind === 'text' ? input.text : '';
    return [
      lang === 'bo'
        ? { text: `ཁྱེད་ཀྱིས་「${said}」ཞེས་གསུངས། ལས་ཞུགས་ཞབས་ཞུ་ལ་འབྲེལ་བ་གནང་རོགས།`, lang }
        : { text: `您说：「${said}」。请联系就业服务中心。`, lang },
    ];
  }
}
