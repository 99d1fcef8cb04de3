import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError, isRetryable } from '../../messaging/send.js';
import { startBotApiServer, type BotApiServer } from '../../../test/support/bot-api/index.js';
import { freePort } from '../../../test/support/servers.js';
import { createTelegramSender, type TelegramSender } from './sender.js';

const msg = (text: string) => ({ text, lang: 'zh-CN' as const });

async function failure(p: Promise<unknown>): Promise<SendError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('the Telegram sender (typed failures, against the Bot API server on loopback)', () => {
  let api: BotApiServer;
  let sender: TelegramSender;

  beforeAll(async () => {
    api = await startBotApiServer();
    sender = createTelegramSender({ token: api.token, apiRoot: api.apiRoot });
  });
  afterAll(async () => {
    sender.close();
    await api.close();
  });

  it('sends every part and returns their message ids', async () => {
    const res = await sender.send('501', [msg('一'), msg('二'.repeat(5000))]);
    expect(res.messageIds).toHaveLength(3); // the long one became two messages
    expect(api.sent(501).map((m) => String(m.messageId))).toEqual(res.messageIds);
  });

  it('keeps its connection to an http:// Bot API root (no new TCP connection per message)', async () => {
    await sender.send('520', [msg('warm')]);
    const before = api.connections();
    for (let i = 0; i < 5; i++) await sender.send('520', [msg(`n${i}`)]);
    expect(api.connections()).toBe(before);
  });

  it('a blocked bot or an unknown chat is `blocked` (permanent)', async () => {
    api.failNext('sendMessage', {
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    const blocked = await failure(sender.send('502', [msg('hi')]));
    expect(blocked.kind).toBe('blocked');
    expect(isRetryable(blocked)).toBe(false);
    api.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' });
    expect((await failure(sender.send('503', [msg('hi')]))).kind).toBe('blocked');
  });

  it('a 429 is `rateLimited` with retry_after, at once — or waited out when the caller allows', async () => {
    api.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const started = Date.now();
    const limited = await failure(sender.send('504', [msg('hi')]));
    expect(limited.kind).toBe('rateLimited');
    expect(limited.retryAfterMs).toBe(1000);
    expect(Date.now() - started).toBeLessThan(900); // it did not sleep
    expect(isRetryable(limited)).toBe(true);

    // A live reply may wait: the refused part is sent after the wait, nothing twice.
    await sender.send('505', [msg('first')]);
    api.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const res = await sender.send('505', [msg('second'), msg('third')], { maxWaitMs: 5_000 });
    expect(res.messageIds).toHaveLength(2);
    expect(api.sent(505).map((m) => m.text)).toEqual(['first', 'second', 'third']);
  });

  it('5xx and a network failure are `transient`; another 400 is `rejected`', async () => {
    api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    expect((await failure(sender.send('506', [msg('hi')]))).kind).toBe('transient');
    api.failNext('sendMessage', {
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    const rejected = await failure(sender.send('507', [msg('hi')]));
    expect(rejected.kind).toBe('rejected');
    expect(isRetryable(rejected)).toBe(false);
    const nobody = createTelegramSender({
      token: api.token,
      apiRoot: `http://127.0.0.1:${await freePort()}`,
    });
    expect((await failure(nobody.send('508', [msg('hi')]))).kind).toBe('transient');
    nobody.close();
  });

  it('a Bot API that does not answer is `transient` after the send timeout (telegraf waits 500 s)', async () => {
    const quick = createTelegramSender({ token: api.token, apiRoot: api.apiRoot, timeoutMs: 200 });
    api.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' }, 1, {
      delayMs: 3_000,
    });
    const started = Date.now();
    const slow = await failure(quick.send('511', [msg('hi')]));
    expect(slow.kind).toBe('transient');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slow.message).not.toContain(api.token);
    quick.close();
  });

  it('reports how many parts went out before a failure', async () => {
    // The first part goes, the second fails (the Bot API answers 500).
    let calls = 0;
    api.handle('sendMessage', (params) => {
      calls++;
      if (calls === 2) throw new Error('boom');
      const chat = { id: Number(params.chat_id), type: 'private' };
      return { message_id: calls, date: 0, chat, text: String(params.text) };
    });
    const partial = await failure(sender.send('510', [msg('a'), msg('b')]));
    expect(partial.kind).toBe('transient');
    expect(partial.sent).toBe(1);
    // The retry goes on from there: the first part is not sent twice.
    const texts: string[] = [];
    api.handle('sendMessage', (params) => {
      texts.push(String(params.text));
      const chat = { id: Number(params.chat_id), type: 'private' };
      return { message_id: 9, date: 0, chat, text: String(params.text) };
    });
    await sender.send('510', [msg('a'), msg('b')], { skipParts: partial.sent });
    expect(texts).toEqual(['b']);
  });
});
