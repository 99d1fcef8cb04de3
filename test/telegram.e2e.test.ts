import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../src/channels/telegram/telegram.channel.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  allocUpdateId,
  callbackUpdate,
  commandUpdate,
  mediaUpdate,
  startBotApiServer,
  textUpdate,
  type BotApiServer,
  type SentMessage,
  type Update,
} from './support/bot-api/index.js';

const TIBETAN = /[\u0F40-\u0FBC]/u;
const HAN = /\p{Script=Han}/u;
const buttons = (m: SentMessage) =>
  (
    m.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined
  )?.inline_keyboard?.flat() ?? [];

describe('Telegram, polling mode, against a Bot API server on loopback', () => {
  let api: BotApiServer;
  let t: TestApp;

  beforeAll(async () => {
    api = await startBotApiServer();
    t = await startTestApp({
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'polling',
    });
    await t.deps.telegram!.start();
  });
  afterAll(async () => {
    await t.close();
    await api.close();
  });

  it('registers the DESIGN.md commands in both languages', () => {
    const names = api.commands().map((c) => c.command);
    expect(names).toEqual(
      expect.arrayContaining([
        'start',
        'menu',
        'language',
        'human',
        'complaint',
        'subscribe',
        'subscriptions',
        'unsubscribe',
        'stop',
        'resume',
        'help',
        'mydata',
        'delete',
        'link',
      ]),
    );
    const bo = api.commands(undefined, 'bo');
    expect(bo.length).toBe(names.length);
    expect(bo.every((c) => TIBETAN.test(c.description))).toBe(true);
  });

  it('greets a newcomer in both languages, then talks Tibetan after བོད་ཡིག is pressed', async () => {
    const chat = 1001;
    api.pushUpdate(commandUpdate(chat, 'start'));
    const greeting = await api.waitForSent((m) => m.chatId === chat);
    expect(greeting.text).toMatch(HAN);
    expect(greeting.text).toMatch(TIBETAN);
    const langButtons = buttons(greeting);
    expect(langButtons.map((b) => b.text)).toEqual(['中文', 'བོད་ཡིག']);

    api.pushUpdate(callbackUpdate(chat, langButtons[1]!.callback_data, greeting.messageId));
    const menu = await api.waitForSent(
      (m) => m.chatId === chat && m.messageId !== greeting.messageId,
    );
    expect(menu.text).toMatch(TIBETAN);
    expect(menu.text).not.toMatch(HAN);
    expect(buttons(menu)).toHaveLength(10);
    await api.waitForCall('answerCallbackQuery');

    // A message in Chinese script is answered in Chinese even though Tibetan was chosen.
    const before = api.sent(chat).length;
    api.pushUpdate(textUpdate(chat, '今天天气怎么样'));
    const zh = await api.waitForSent(
      (m) => m.chatId === chat && api.sent(chat).indexOf(m) >= before,
    );
    expect(zh.text).toMatch(HAN);
    expect(zh.text).not.toMatch(TIBETAN);

    // …and the chosen language is kept otherwise: a voice note gets a Tibetan answer (it cannot
    // be understood: it goes to a counsellor).
    const before2 = api.sent(chat).length;
    api.pushUpdate(mediaUpdate(chat, 'voice'));
    const voice = await api.waitForSent(
      (m) => m.chatId === chat && api.sent(chat).indexOf(m) >= before2,
    );
    expect(voice.text).toMatch(TIBETAN);
    expect(voice.text).toContain('ལས་ཞུགས་ལམ་སྟོན་པ');
  });

  it('answers a policy question from a card, in the language it was asked, and takes feedback', async () => {
    const chat = 1004;
    /** The next message to `chat`, after those already sent. */
    const next = () => {
      const seen = api.sent(chat).length;
      return () => api.waitForSent((m) => m.chatId === chat && api.sent(chat).indexOf(m) >= seen);
    };
    let wait = next();
    api.pushUpdate(textUpdate(chat, 'ལས་མེད་ཉེན་འགོག་དངུལ་ག་འདྲ་བྱས་ནས་ལེན་དགོས།'));
    let answer = await wait();
    // Two close cards: the assistant asks which one is meant; picking one gives its answer.
    const option = buttons(answer).find((b) => b.callback_data.startsWith('kb#c:'));
    if (option) {
      wait = next();
      api.pushUpdate(callbackUpdate(chat, option.callback_data, answer.messageId));
      answer = await wait();
    }
    expect(answer.text).toMatch(TIBETAN);
    expect(answer.text).not.toMatch(HAN);
    // The answer first; its source is one tap away, under details.
    const source = t.deps.translator.t('bo', 'kb:source', { source: '', reviewed: '' }).slice(0, 6);
    expect(answer.text).not.toContain(source);
    expect(buttons(answer).some((b) => b.callback_data.startsWith('kb#d:'))).toBe(true);
    const helpful = buttons(answer).find((b) => b.callback_data === 'kb#y');
    expect(helpful).toBeDefined();
    wait = next();
    api.pushUpdate(callbackUpdate(chat, helpful!.callback_data, answer.messageId));
    const thanks = await wait();
    expect(thanks.text).toBe(t.deps.translator.t('bo', 'kb:thanks'));
  });

  it('waits retry_after when Telegram answers 429, and the reply still arrives', async () => {
    const chat = 1002;
    api.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const at = Date.now();
    api.pushUpdate(commandUpdate(chat, 'start'));
    await api.waitForSent((m) => m.chatId === chat, 8000);
    expect(Date.now() - at).toBeGreaterThanOrEqual(1000);
  });

  it('retries a polled update whose turn failed, instead of dropping it; answers it once', async () => {
    const chat = 1005;
    api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    api.pushUpdate(commandUpdate(chat, 'start'));
    await api.waitForSent((m) => m.chatId === chat, 8000);
    await new Promise((r) => setTimeout(r, 500));
    expect(api.sent(chat)).toHaveLength(1);
  });

  it('answers an update delivered twice (a crash between fetching and acknowledging) once', async () => {
    const chat = 1006;
    const update = commandUpdate(chat, 'start');
    api.pushUpdate(update);
    await api.waitForSent((m) => m.chatId === chat, 8000);
    api.pushUpdate(update);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(api.sent(chat)).toHaveLength(1);
  });

  it('skips malformed polled updates, counts them, and goes on answering the next one', async () => {
    const chat = 1007;
    const good = textUpdate(chat, 'hi') as unknown as { message: object };
    for (const bad of [
      { callback_query: { id: 'q1', data: 'main:menu#x' } }, // no from
      { message: { message_id: 1, date: 0, text: 'hi' } }, // no chat
      { message: { ...good.message, entities: 'bot_command' } },
      { message: { ...good.message, text: { a: 1 } } },
    ])
      api.pushUpdate({ update_id: allocUpdateId(), ...bad } as unknown as Update);
    api.pushUpdate(commandUpdate(chat, 'start'));
    await api.waitForSent((m) => m.chatId === chat, 8000);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.sent(chat)).toHaveLength(1);
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/lamton_telegram_malformed_updates_total 4/);
  });

  it('reads a 300 KB text up to Telegram’s cap and answers it', async () => {
    const chat = 1008;
    api.pushUpdate(textUpdate(chat, '失业金怎么领'.repeat(50_000)));
    const reply = await api.waitForSent((m) => m.chatId === chat, 15_000);
    expect(reply.text.length).toBeGreaterThan(0);
  });

  it('only one process polls: a second one waits and takes over when the first stops', async () => {
    const second = createTelegramChannel({
      token: api.token,
      apiRoot: api.apiRoot,
      mode: 'polling',
      handleInbound: t.deps.handleInbound,
      redis: t.deps.redis,
      translator: t.deps.translator,
      log: t.deps.log,
      prefix: t.deps.prefix,
      pollRetryMs: 200,
    });
    await second.start();
    expect(t.deps.telegram!.isPolling()).toBe(true);
    expect(second.isPolling()).toBe(false);
    await t.deps.telegram!.stop();
    await expect.poll(() => second.isPolling(), { timeout: 5000 }).toBe(true);
    const chat = 1003;
    api.pushUpdate(commandUpdate(chat, 'start'));
    await api.waitForSent((m) => m.chatId === chat, 8000);
    await second.stop();
  });
});

describe('Telegram, webhook mode', () => {
  let api: BotApiServer;
  let t: TestApp;
  const secret = 'test_secret-123';

  beforeAll(async () => {
    api = await startBotApiServer();
    t = await startTestApp({
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: secret,
      PUBLIC_URL: 'https://lamton.example.org',
    });
    await t.deps.telegram!.start();
  });
  afterAll(async () => {
    await t.close();
    await api.close();
  });

  it('registers PUBLIC_URL + /webhooks/telegram with the secret', () => {
    expect(api.webhook()).toMatchObject({
      url: 'https://lamton.example.org/webhooks/telegram',
      secretToken: secret,
    });
  });

  it('answers an update once, even when Telegram delivers it twice', async () => {
    const chat = 2001;
    const update = commandUpdate(chat, 'start');
    const first = await api.deliverWebhook(update, { baseUrl: t.url });
    expect(first.status).toBe(200);
    await api.waitForSent((m) => m.chatId === chat);
    const again = await api.deliverWebhook(update, { baseUrl: t.url });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.sent(chat)).toHaveLength(1);
  });

  it('loses nothing when a turn fails: Telegram is asked to retry, and the retry is answered once', async () => {
    const chat = 2005;
    const update = commandUpdate(chat, 'start');
    api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    const failed = await api.deliverWebhook(update, { baseUrl: t.url });
    expect(failed.status).toBe(503);
    const retried = await api.deliverWebhook(update, { baseUrl: t.url });
    expect(retried.status).toBe(200);
    await api.waitForSent((m) => m.chatId === chat);
    await api.deliverWebhook(update, { baseUrl: t.url });
    await new Promise((r) => setTimeout(r, 200));
    expect(api.sent(chat)).toHaveLength(1);
  });

  it('a turn that fails after Telegram was already answered 200 is retried here, not lost', async () => {
    const chat = 2007;
    // The reply fails only after the webhook answered (2 s): Telegram will not retry a 200.
    api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 1, {
      delayMs: 2_500,
    });
    const res = await api.deliverWebhook(commandUpdate(chat, 'start'), { baseUrl: t.url });
    expect(res.status).toBe(200);
    await api.waitForSent((m) => m.chatId === chat, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(api.sent(chat)).toHaveLength(1);
  });

  it('answers Telegram’s retry within seconds when the process handling it was killed mid-turn', async () => {
    const chat = 2006;
    const update = commandUpdate(chat, 'start');
    // The claim of a process killed mid-turn: nobody renews it, so it lapses within its lease.
    await t.deps.redis.set(
      `${t.deps.prefix}tg:update:${update.update_id}`,
      'pending:killed-process',
      'EX',
      2,
    );
    const at = Date.now();
    const retry = await api.deliverWebhook(update, { baseUrl: t.url });
    expect(retry.status).toBe(200);
    await api.waitForSent((m) => m.chatId === chat, 8_000);
    expect(Date.now() - at).toBeLessThan(6_000);
    await api.deliverWebhook(update, { baseUrl: t.url });
    await new Promise((r) => setTimeout(r, 300));
    expect(api.sent(chat)).toHaveLength(1);
  });

  it('acknowledges a button press in the webhook response itself', async () => {
    const chat = 2004;
    await api.deliverWebhook(commandUpdate(chat, 'start'), { baseUrl: t.url });
    const greeting = await api.waitForSent((m) => m.chatId === chat);
    const res = await api.deliverWebhook(
      callbackUpdate(chat, 'language:choose#zh', greeting.messageId),
      { baseUrl: t.url },
    );
    expect(JSON.parse(res.body)).toMatchObject({ method: 'answerCallbackQuery' });
    const acked = await api.waitForCall('answerCallbackQuery');
    expect(acked.via).toBe('webhook-reply');
    expect(
      api.calls.filter((c) => c.method === 'answerCallbackQuery' && c.via === 'http'),
    ).toHaveLength(0);
  });

  it('a Tibetan text from a newcomer is answered in Tibetan', async () => {
    const chat = 2002;
    await api.deliverWebhook(textUpdate(chat, 'བཀྲ་ཤིས་བདེ་ལེགས།'), { baseUrl: t.url });
    const reply = await api.waitForSent((m) => m.chatId === chat);
    expect(reply.text).toMatch(TIBETAN);
    expect(reply.text).not.toMatch(HAN);
  });

  it('rejects a wrong or missing secret with 401 and a malformed body with 400', async () => {
    const body = textUpdate(2003, 'hi');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      headers: { 'x-telegram-bot-api-secret-token': 'nope' },
      payload: body,
    });
    expect(wrong.statusCode).toBe(401);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      payload: body,
    });
    expect(missing.statusCode).toBe(401);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/webhooks/telegram',
      headers: { 'x-telegram-bot-api-secret-token': secret, 'content-type': 'application/json' },
      payload: '{"update_id":',
    });
    expect(bad.statusCode).toBe(400);
    // With the right secret, a body that is no update is answered 200 (Telegram retries a 4xx
    // for ever) and counted as malformed.
    const counted = async () =>
      (
        await t.deps.metrics.registry.getSingleMetricAsString(
          'lamton_telegram_malformed_updates_total',
        )
      ).match(/ (\d+)$/m)?.[1];
    const before = Number((await counted()) ?? 0);
    // (A JSON null was a 500: the warning read its update_id.)
    for (const payload of ['{"hello":1}', '{"update_id":"x"}', '[1,2]', 'null', '"x"', '7']) {
      const noId = await t.app.inject({
        method: 'POST',
        url: '/webhooks/telegram',
        headers: {
          'x-telegram-bot-api-secret-token': secret,
          'content-type': 'application/json',
        },
        payload,
      });
      expect(noId.statusCode, payload).toBe(200);
    }
    expect(Number(await counted())).toBe(before + 6);
    expect(api.sent(2003)).toHaveLength(0);
  });

  it('answers a 300 KB text through the webhook route (200, one reply, the process lives on)', async () => {
    const chat = 2095;
    const res = await api.deliverWebhook(textUpdate(chat, 'སྒྲུབ་'.repeat(50_000)), {
      baseUrl: t.url,
    });
    expect(res.status).toBe(200);
    const reply = await api.waitForSent((m) => m.chatId === chat, 15_000);
    expect(reply.text).toMatch(TIBETAN);
    expect((await t.app.inject('/healthz')).statusCode).toBe(200);
  });

  it('answers malformed updates with the right secret 200, ignores and counts them (no retry loop)', async () => {
    const post = (payload: object) =>
      t.app.inject({
        method: 'POST',
        url: '/webhooks/telegram',
        headers: { 'x-telegram-bot-api-secret-token': secret },
        payload,
      });
    const good = textUpdate(2094, 'hi') as unknown as { update_id: number; message: object };
    const malformed = [
      { update_id: 900001, callback_query: { id: 'q1', data: 'main:menu#x' } }, // no from
      { update_id: 900002, message: { message_id: 1, date: 0, text: 'hi' } }, // no chat
      { update_id: 900003, message: { ...good.message, entities: 'bot_command' } },
      { update_id: 900004, message: { ...good.message, text: { a: 1 } } },
      { update_id: 900005, message: { ...good.message, chat: { id: 'x', type: 'private' } } },
    ];
    const counted = async () =>
      Number(
        (
          await t.deps.metrics.registry.getSingleMetricAsString(
            'lamton_telegram_malformed_updates_total',
          )
        ).match(/ (\d+)$/m)?.[1] ?? 0,
      );
    const before = await counted();
    for (const update of malformed) expect((await post(update)).statusCode).toBe(200);
    expect(await counted()).toBe(before + 5);
    expect(api.sent(2094).map((m) => m.text)).toEqual([]);
  });
});
