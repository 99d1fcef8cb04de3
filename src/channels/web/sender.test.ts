import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError } from '../../messaging/send.js';
import { INBOX_ITEMS_MAX, INBOX_TTL_SEC, PUSH_TEXT_MAX, type PublishedPush } from './inbox.js';
import { createWebSender } from './sender.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:websend:${randomUUID()}:`;
const log = pino({ level: 'silent' });
let redis: Redis;
let listener: Redis;
const published: PublishedPush[] = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  listener = new Redis(REDIS_URL);
  listener.on('message', (_channel: string, raw: string) => {
    published.push(JSON.parse(raw) as PublishedPush);
  });
  await listener.subscribe(`${prefix}web:push`);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await Promise.all([redis.quit(), listener.quit()]);
});

const inboxOf = async (chatId: string) =>
  (await redis.lrange(`${prefix}web:inbox:${chatId}`, 0, -1)).map(
    (raw) => JSON.parse(raw) as { id: string; at: number; messages: { text: string }[] },
  );

describe('the web sender', () => {
  it('keeps the push in the chat inbox for 90 days and publishes it', async () => {
    const sender = createWebSender({ redis, prefix, log }, { now: () => 1_700_000_000_000 });
    const chatId = randomUUID();
    const res = await sender.send(chatId, [
      {
        text: '区里本周五有招聘会',
        lang: 'zh-CN',
        notice: '拉萨市就业服务中心 · 回复“退订”不再接收',
        choices: [{ id: 'x', label: '详情' }],
        media: [{ title: '通知', url: 'https://example.org/n' }],
      },
    ]);
    expect(sender.channel).toBe('web');
    expect(res.messageIds).toHaveLength(1);
    const stored = await inboxOf(chatId);
    expect(stored).toEqual([
      {
        id: res.messageIds[0],
        at: 1_700_000_000_000,
        messages: [
          {
            text: '区里本周五有招聘会\n通知 https://example.org/n',
            lang: 'zh-CN',
            notice: '拉萨市就业服务中心 · 回复“退订”不再接收',
            // Buttons travel with a push (a counsellor's rating question).
            choices: [{ id: 'x', label: '详情' }],
          },
        ],
      },
    ]);
    const ttl = await redis.ttl(`${prefix}web:inbox:${chatId}`);
    expect(ttl).toBeGreaterThan(INBOX_TTL_SEC - 60);
    expect(ttl).toBeLessThanOrEqual(INBOX_TTL_SEC);
    await expect
      .poll(() => published.find((p) => p.chatId === chatId)?.item.id)
      .toBe(res.messageIds[0]);
  });

  it(`keeps the last ${INBOX_ITEMS_MAX} items`, async () => {
    const sender = createWebSender({ redis, prefix, log });
    const chatId = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < INBOX_ITEMS_MAX + 3; i++)
      ids.push(...(await sender.send(chatId, [{ text: `第${i}条`, lang: 'zh-CN' }])).messageIds);
    const stored = await inboxOf(chatId);
    expect(stored.map((item) => item.id)).toEqual(ids.slice(3));
    expect(stored.at(-1)?.messages[0]?.text).toBe(`第${INBOX_ITEMS_MAX + 2}条`);
  });

  it('keeps a long text whole up to the cap and never cuts inside a Tibetan stack', async () => {
    const sender = createWebSender({ redis, prefix, log });
    const chatId = randomUUID();
    // Stacks with no tsheg between them: the only safe cuts are before a base letter.
    const long = `ཀ${'སྒྲ'.repeat(2000)}`;
    const whole = `ལས་ཞུགས་${'བསྒྲུབས་'.repeat(400)}`;
    expect(whole.length).toBeLessThan(PUSH_TEXT_MAX);
    expect(sender.parts?.([{ text: whole, lang: 'bo' }])).toBe(1);
    expect(sender.parts?.([{ text: long, lang: 'bo' }])).toBe(2);
    await sender.send(chatId, [
      { text: long, lang: 'bo' },
      { text: whole, lang: 'bo' },
    ]);
    const [item] = await inboxOf(chatId);
    const cut = item!.messages[0]!.text;
    expect(cut.length).toBeLessThanOrEqual(PUSH_TEXT_MAX);
    expect(cut.length).toBeGreaterThan(PUSH_TEXT_MAX - 10);
    expect(cut.endsWith('…')).toBe(true);
    const kept = cut.slice(0, -1);
    expect(long.startsWith(kept)).toBe(true);
    // What follows the cut starts a new stack (a base letter), not a subjoined one.
    expect(long.charAt(kept.length)).toBe('ས');
    expect(item!.messages[1]!.text).toBe(whole);
    expect(sender.preview?.([{ text: long, lang: 'bo', notice: 'བཀག' }])).toEqual([
      `${cut}\n\nབཀག`,
    ]);
  });

  it('says blocked for an address that is no web chat, and rejected for nothing to send', async () => {
    const sender = createWebSender({ redis, prefix, log });
    for (const address of ['', 'not-a-session', '777001', `${randomUUID()}x`])
      await expect(sender.send(address, [{ text: '招聘会', lang: 'zh-CN' }])).rejects.toMatchObject(
        { kind: 'blocked' },
      );
    await expect(sender.send(randomUUID(), [])).rejects.toMatchObject({ kind: 'rejected' });
    expect(await redis.keys(`${prefix}web:inbox:not-a-session`)).toEqual([]);
  });

  it('says transient when Redis is away, at once', async () => {
    const gone = new Redis(REDIS_URL, { lazyConnect: true });
    await gone.connect();
    await gone.quit();
    const sender = createWebSender({ redis: gone, prefix, log });
    const failure = await sender
      .send(randomUUID(), [{ text: '招聘会', lang: 'zh-CN' }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SendError);
    expect(failure).toMatchObject({ kind: 'transient' });

    // A server that refuses the connection: the write fails and comes out as transient too.
    const refused = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    refused.on('error', () => undefined);
    const started = Date.now();
    await expect(
      createWebSender({ redis: refused, prefix, log }).send(randomUUID(), [
        { text: '招聘会', lang: 'zh-CN' },
      ]),
    ).rejects.toMatchObject({ kind: 'transient' });
    expect(Date.now() - started).toBeLessThan(2000);
    refused.disconnect();
  });
});
