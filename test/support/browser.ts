import { chromium, type Browser } from 'playwright-core';

/** The system Chromium, headless, with everything that would reach the network switched off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh browser session logged in through the login page a page behind it redirects to
 * (checking the redirect keeps `next`); `close()` fails the test on any script error or CSP
 * refusal seen meanwhile.
 */
export async function loggedInPage(
  browser: Browser,
  opts: { base: string; path: string; username: string; password: string },
) {
  const { expect } = await import('vitest');
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(8000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused/i.test(msg.text()))
      errors.push(msg.text());
  });
  await page.goto(`${opts.base}${opts.path}`);
  expect(new URL(page.url()).pathname).toBe('/admin/login');
  expect(new URL(page.url()).searchParams.get('next')).toBe(opts.path);
  await page.locator('#username').fill(opts.username);
  await page.locator('#password').fill(opts.password);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/admin/login'),
    page.keyboard.press('Enter'),
  ]).catch(async (err: unknown) => {
    throw new Error(`${String(err)}\n${await page.content()}`);
  });
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(opts.path);
  return {
    page,
    close: async () => {
      expect(errors).toEqual([]);
      await ctx.close();
    },
  };
}
