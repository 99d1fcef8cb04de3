import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Markup, Telegraf, TelegramError } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callbackUpdate,
  commandUpdate,
  mediaUpdate,
  startBotApiServer,
  textUpdate,
  type BotApiServer,
} from './index.js';

const servers: BotApiServer[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

async function start(): Promise<BotApiServer> {
  const s = await startBotApiServer();
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Raw call helper (no telegraf) for protocol-level checks. */
async function rawCall(
  s: BotApiServer,
  method: string,
  body: unknown,
  opts: { token?: string; contentType?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${s.apiRoot}/bot${opts.token ?? s.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': opts.contentType ?? 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('fake Bot API server with real telegraf', () => {
  it('records bot.telegram.sendMessage with text and reply_markup', async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    const msg = await bot.telegram.sendMessage(42, 'hello <b>world</b>', {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([Markup.button.callback('Yes', 'answer:yes')]),
    });
    expect(msg.message_id).toBeGreaterThan(0);
    expect(msg.chat.id).toBe(42);
    expect(msg.text).toBe('hello world');

    const sent = s.sent(42);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toBe('hello world');
    expect(sent[0]?.rawText).toBe('hello <b>world</b>');
    expect(sent[0]?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Yes', callback_data: 'answer:yes', hide: false }]],
    });
    expect(s.sent(7)).toHaveLength(0);

    // edit round-trip
    await bot.telegram.editMessageText(42, msg.message_id, undefined, 'edited');
    const edited = await s.waitForSent((m) => m.method === 'editMessageText');
    expect(edited.messageId).toBe(msg.message_id);
    expect(edited.text).toBe('edited');
    // unchanged edit → 400 like Telegram
    await expect(
      bot.telegram.editMessageText(42, msg.message_id, undefined, 'edited'),
    ).rejects.toThrow(/message is not modified/);
  });

  it('validates sendMessage like Telegram', async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    await expect(bot.telegram.sendMessage(1, 'x'.repeat(4097))).rejects.toMatchObject({
      code: 400,
      description: 'Bad Request: message is too long',
    });
    // 4096 visible chars is fine even if the raw HTML is longer
    await bot.telegram.sendMessage(1, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });
    await expect(bot.telegram.sendMessage(1, '')).rejects.toMatchObject({
      description: 'Bad Request: message text is empty',
    });
    await expect(
      bot.telegram.sendMessage(1, 'Price 1.5', { parse_mode: 'MarkdownV2' }),
    ).rejects.toThrow(/Character '\.' is reserved/);
    await expect(bot.telegram.sendMessage(1, 'a <x> b', { parse_mode: 'HTML' })).rejects.toThrow(
      /Unsupported start tag/,
    );
    await expect(
      bot.telegram.sendMessage(
        1,
        'pick',
        Markup.inlineKeyboard([Markup.button.callback('a', 'x'.repeat(65))]),
      ),
    ).rejects.toThrow(/BUTTON_DATA_INVALID/);
    // reply_markup as a JSON string is accepted too
    const r = await rawCall(s, 'sendMessage', {
      chat_id: '5',
      text: 'hi',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }),
    });
    expect(r.status).toBe(200);
    expect(s.sent(5)[0]?.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'A', callback_data: 'a' }]],
    });
  });

  it('polling bot receives a pushed update, replies, and stops cleanly', async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    bot.start((ctx) => ctx.reply(`welcome ${ctx.from.first_name}`));
    bot.on('text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    bot.action(/.*/, async (ctx) => {
      await ctx.answerCbQuery('ok');
      await ctx.editMessageText(`chose ${ctx.match[0]}`);
    });
    bot.on('voice', (ctx) => ctx.reply('got voice'));

    let launchError: unknown;
    const launched = bot.launch().catch((e: unknown) => {
      launchError = e;
    });
    // launch() only resolves once polling stops; wait for the first long poll instead.
    await s.waitForCall('getUpdates', (p) => p.timeout === 50);
    expect(s.calls.map((c) => c.method).slice(0, 2)).toEqual(['getMe', 'deleteWebhook']);

    s.pushUpdate(textUpdate(1001, 'hello bot', { languageCode: 'bo' }));
    const reply = await s.waitForSent((m) => m.chatId === 1001);
    expect(reply.text).toBe('echo: hello bot');

    s.pushUpdate(commandUpdate(1001, 'start'));
    await s.waitForSent((m) => m.text === 'welcome Test');

    const sent = s.sent(1001).at(-1);
    s.pushUpdate(callbackUpdate(1001, 'lang:zh', sent?.messageId));
    await s.waitForCall('answerCallbackQuery', (p) => p.text === 'ok');
    const edit = await s.waitForSent((m) => m.method === 'editMessageText');
    expect(edit.text).toBe('chose lang:zh');
    expect(edit.messageId).toBe(sent?.messageId);

    s.pushUpdate(mediaUpdate(1001, 'voice'));
    await s.waitForSent((m) => m.text === 'got voice');

    bot.stop('test over');
    await launched;
    expect(launchError).toBeUndefined();
    // telegraf confirms the last offset on stop (getUpdates with limit 1 and no timeout)
    const last = s.calls.at(-1);
    expect(last?.method).toBe('getUpdates');
    expect(last?.params.limit).toBe(1);
    expect(s.pendingUpdates()).toHaveLength(0);
  });

  it('failNext(429) surfaces as TelegramError with retry_after', async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    s.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const err = await bot.telegram.sendMessage(9, 'hi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramError);
    const te = err as TelegramError;
    expect(te.code).toBe(429);
    expect(te.parameters?.retry_after).toBe(1);
    // only once
    await expect(bot.telegram.sendMessage(9, 'hi')).resolves.toMatchObject({ text: 'hi' });
    expect(s.sent(9)).toHaveLength(1);
  });

  it('setWebhook + deliverWebhook reaches the app with the secret header; getUpdates conflicts', async () => {
    const s = await start();
    const seen: Array<{ url?: string; secret?: string | string[]; body: string }> = [];
    const app = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, secret: req.headers['x-telegram-bot-api-secret-token'], body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => app.close(() => r())));
    const port = (app.address() as AddressInfo).port;

    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    await bot.telegram.setWebhook(`http://127.0.0.1:${port}/tg/hook`, {
      secret_token: 's3cret_TOKEN',
      drop_pending_updates: true,
    });
    expect(s.webhook()).toMatchObject({
      url: `http://127.0.0.1:${port}/tg/hook`,
      secretToken: 's3cret_TOKEN',
    });
    expect((await bot.telegram.getWebhookInfo()).url).toBe(`http://127.0.0.1:${port}/tg/hook`);

    const update = textUpdate(77, 'via webhook');
    const res = await s.deliverWebhook(update);
    expect(res).toEqual({ status: 200, body: 'ok' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/tg/hook');
    expect(seen[0]?.secret).toBe('s3cret_TOKEN');
    expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual(update);

    // Telegram refuses getUpdates while a webhook is set
    await expect(bot.telegram.getUpdates(0, 100, 0, [])).rejects.toMatchObject({ code: 409 });
    await bot.telegram.deleteWebhook();
    expect(s.webhook()).toBeNull();
  });

  it("telegraf's webhookCallback: secret check and webhook-reply methods are executed", async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    bot.on('text', async (ctx) => {
      await ctx.sendChatAction('typing'); // answered in the webhook response body (webhookReply)
      await ctx.reply(`hook: ${ctx.message.text}`);
    });
    const callback = bot.webhookCallback('/hook', { secretToken: 'abc' });
    const app = http.createServer((req, res) => {
      callback(req, res).catch(() => res.end());
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => app.close(() => r())));
    const port = (app.address() as AddressInfo).port;

    await bot.telegram.setWebhook(`https://bot.example.org/hook`, { secret_token: 'abc' });
    const res = await s.deliverWebhook(textUpdate(5, 'hi'), {
      baseUrl: `http://127.0.0.1:${port}`,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      method: 'sendChatAction',
      chat_id: 5,
      action: 'typing',
    });
    const chatAction = await s.waitForCall('sendChatAction');
    expect(chatAction.via).toBe('webhook-reply');
    expect((await s.waitForSent((m) => m.chatId === 5)).text).toBe('hook: hi');

    await bot.telegram.setWebhook(`https://bot.example.org/hook`, { secret_token: 'wrong' });
    const denied = await s.deliverWebhook(textUpdate(5, 'x'), {
      baseUrl: `http://127.0.0.1:${port}`,
    });
    expect(denied.status).toBe(403);
  });

  it('rejects a wrong token with 401', async () => {
    const s = await start();
    const bot = new Telegraf('999:wrong', { telegram: { apiRoot: s.apiRoot } });
    await expect(bot.telegram.getMe()).rejects.toMatchObject({
      code: 401,
      description: 'Unauthorized',
    });
    const r = await rawCall(s, 'getMe', {}, { token: '999:wrong' });
    expect(r).toEqual({
      status: 401,
      json: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
  });

  it('unknown method → 404, malformed JSON → 400, form bodies accepted', async () => {
    const s = await start();
    const unknown = await rawCall(s, 'sendTelepathy', {});
    expect(unknown).toEqual({
      status: 404,
      json: { ok: false, error_code: 404, description: 'Not Found: method not found' },
    });
    const bad = await rawCall(s, 'sendMessage', '{"chat_id":', {});
    expect(bad.status).toBe(400);
    expect(bad.json.ok).toBe(false);
    const form = await rawCall(s, 'sendMessage', 'chat_id=3&text=form%20body', {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(200);
    expect(s.sent(3)[0]?.text).toBe('form body');
  });

  it('stores commands per scope and language', async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    await bot.telegram.setMyCommands([{ command: 'start', description: 'Start' }]);
    await bot.telegram.setMyCommands([{ command: 'start', description: 'འགོ་འཛུགས།' }], {
      language_code: 'bo',
    });
    await bot.telegram.setMyCommands([{ command: 'help', description: 'Help' }], {
      scope: { type: 'chat', chat_id: 10 },
    });
    expect(s.commands()).toEqual([{ command: 'start', description: 'Start' }]);
    expect(s.commands(undefined, 'bo')[0]?.description).toBe('འགོ་འཛུགས།');
    expect(s.commands({ type: 'chat', chat_id: 10 })).toEqual([
      { command: 'help', description: 'Help' },
    ]);
    expect(s.commandSets()).toHaveLength(3);
    expect(await bot.telegram.getMyCommands({ language_code: 'bo' })).toHaveLength(1);
    await bot.telegram.deleteMyCommands({ language_code: 'bo' });
    expect(s.commands(undefined, 'bo')).toEqual([]);
    await expect(
      bot.telegram.setMyCommands([{ command: 'Bad-Command', description: 'x' }]),
    ).rejects.toThrow(/BOT_COMMAND_INVALID/);
  });

  it('long poll returns on push, honours offset, and close() ends pending polls promptly', async () => {
    const s = await start();
    const bot = new Telegraf(s.token, { telegram: { apiRoot: s.apiRoot } });
    const t0 = Date.now();
    const poll = bot.telegram.getUpdates(30, 100, 0, []);
    await s.waitForCall('getUpdates');
    const u = textUpdate(1, 'x');
    s.pushUpdate(u);
    const got = await poll;
    expect(got.map((x) => x.update_id)).toEqual([u.update_id]);
    expect(Date.now() - t0).toBeLessThan(2000);
    // not confirmed yet → returned again; confirmed with offset → gone
    expect(await bot.telegram.getUpdates(0, 100, 0, [])).toHaveLength(1);
    expect(await bot.telegram.getUpdates(0, 100, u.update_id + 1, [])).toHaveLength(0);

    const pending = bot.telegram.getUpdates(30, 100, u.update_id + 1, []);
    await s.waitForCall('getUpdates', (p) => p.timeout === 30 && p.offset === u.update_id + 1);
    const t1 = Date.now();
    await s.close();
    await expect(pending).resolves.toEqual([]);
    expect(Date.now() - t1).toBeLessThan(1000);
  });
});
