import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { SendError } from '../../messaging/send.js';
import { wechatWebhookRoutes } from './webhook.routes.js';

const TOKEN = 'routeTestToken';
const sign = (...parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

function url(): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID().slice(0, 8);
  return `/webhooks/wechat?signature=${sign(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;
}

/** A callback as WeChat posts it (plaintext mode). */
const post = (a: FastifyInstance, payload: string) =>
  a.inject({ method: 'POST', url: url(), headers: { 'content-type': 'text/xml' }, payload });

const xml = (from: string, msgId: string) =>
  `<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>${msgId}</MsgId></xml>`;

describe('WeChat’s 5-second rule', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6381');
  afterAll(async () => {
    await redis.quit();
  });

  async function app(
    receive: () => Promise<string[]>,
    push: (o: string, t: string[]) => Promise<unknown>,
    via: Redis = redis,
    more: {
      prefix?: string;
      recoverEveryMs?: number;
      owedSilentMs?: number;
      owedHeartbeatMs?: number;
    } = {},
  ) {
    const a = Fastify();
    await a.register(
      wechatWebhookRoutes({
        token: TOKEN,
        redis: via,
        prefix: more.prefix ?? `test:wxroute:${randomUUID()}:`,
        ...(more.recoverEveryMs ? { recoverEveryMs: more.recoverEveryMs } : {}),
        ...(more.owedSilentMs ? { owedSilentMs: more.owedSilentMs } : {}),
        ...(more.owedHeartbeatMs ? { owedHeartbeatMs: more.owedHeartbeatMs } : {}),
        log: pino({ level: 'silent' }),
        receive,
        push,
        passiveWithinMs: 150,
      }),
    );
    return a;
  }

  it('answers "success" when the turn is slow, then sends the answer as a customer-service message', async () => {
    const pushed: [string, string[]][] = [];
    const a = await app(
      () => new Promise((r) => setTimeout(() => r(['慢的回答', '第二条']), 400)),
      async (openId, texts) => pushed.push([openId, texts]),
    );
    const started = Date.now();
    const res = await post(a, xml('o-slow', '1001'));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('success');
    expect(Date.now() - started).toBeLessThan(400);
    await expect
      .poll(() => pushed, { timeout: 3_000 })
      .toEqual([['o-slow', ['慢的回答', '第二条']]]);
    await a.close();
  });

  it('replies passively with the first text when quick, and pushes the rest', async () => {
    const pushed: string[][] = [];
    const a = await app(
      async () => ['第一条', '第二条'],
      async (_o, texts) => pushed.push(texts),
    );
    const res = await post(a, xml('o-quick', '1002'));
    expect(res.body).toContain('<Content><![CDATA[第一条]]></Content>');
    await expect.poll(() => pushed, { timeout: 3_000 }).toEqual([['第二条']]);
    await a.close();
  });

  it('a late answer that meets a rate limit is tried again; a closed window is given up', async () => {
    let calls = 0;
    const a = await app(
      () => new Promise((r) => setTimeout(() => r(['答']), 250)),
      async () => {
        calls++;
        if (calls === 1) throw new SendError('rateLimited', 'slow down', 100);
      },
    );
    await post(a, xml('o-limit', '1003'));
    await expect.poll(() => calls, { timeout: 3_000 }).toBe(2);
    let closed = 0;
    const b = await app(
      () => new Promise((r) => setTimeout(() => r(['答']), 250)),
      async () => {
        closed++;
        throw new SendError('windowClosed', 'no');
      },
    );
    await post(b, xml('o-closed', '1004'));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(closed).toBe(1);
    await a.close();
    await b.close();
  });

  it('a turn that fails after "success" is tried again here, and its answer pushed', async () => {
    // WeChat stops retrying once it has "success": a failure then was lost (a locked database
    // under a burst of callbacks).
    let calls = 0;
    const pushed: string[][] = [];
    const a = await app(
      () =>
        new Promise((resolve, reject) =>
          setTimeout(
            () => (++calls === 1 ? reject(new Error('database is locked')) : resolve(['答'])),
            250,
          ),
        ),
      async (_o, texts) => pushed.push(texts),
    );
    const res = await post(a, xml('o-late-fail', '1007'));
    expect(res.body).toBe('success');
    await expect.poll(() => pushed, { timeout: 5_000 }).toEqual([['答']]);
    expect(calls).toBe(2);
    await a.close();
  });

  it('echoes one echostr at the URL check (a repeated one was a 500)', async () => {
    const a = await app(
      async () => [],
      async () => undefined,
    );
    const once = await a.inject({ method: 'GET', url: `${url()}&echostr=abc` });
    expect(once.body).toBe('abc');
    const twice = await a.inject({ method: 'GET', url: `${url()}&echostr=a&echostr=b` });
    expect(twice.statusCode).toBe(200);
    expect(twice.body).toBe('');
    await a.close();
  });

  it('a failed turn is 503 (WeChat tries the callback again), and the retry runs it', async () => {
    let n = 0;
    const a = await app(
      async () => {
        n++;
        if (n === 1) throw new Error('database away');
        return ['好了'];
      },
      async () => undefined,
    );
    const body = xml('o-fail', '1005');
    const first = await post(a, body);
    expect(first.statusCode).toBe(503);
    const retry = await post(a, body);
    expect(retry.body).toContain('好了');
    await a.close();
  });

  it('counts WeChat’s seconds from the callback, also while the claim waits on a slow Redis', async () => {
    // A fault injector's: Redis paused 5 s. The claim took the whole window, the answer went
    // to a socket WeChat had closed, and its retry found the message claimed: never answered.
    let slowUntil = 0;
    const slow = new Proxy(redis, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const wait = slowUntil - Date.now();
          const call = () => (v as (...a: unknown[]) => unknown).apply(target, args);
          return wait > 0 ? new Promise((r) => setTimeout(r, wait)).then(call) : call();
        };
      },
    });
    const pushed: string[][] = [];
    const a = await app(
      async () => ['答复'],
      async (_o, texts) => pushed.push(texts),
      slow,
    );
    const body = xml('o-redis-slow', '1006');
    slowUntil = Date.now() + 400;
    const started = Date.now();
    const first = await post(a, body);
    // Within the window, and not "success": WeChat asks again.
    expect(Date.now() - started).toBeLessThan(350);
    expect(first.statusCode).toBe(503);
    // The turn ran once its claim came through, and its answer was pushed.
    await expect.poll(() => pushed, { timeout: 3_000 }).toEqual([['答复']]);
    slowUntil = 0;
    // WeChat's retry: answered already, so "success" and nothing twice.
    const retry = await post(a, body);
    expect(retry.body).toBe('success');
    expect(pushed).toHaveLength(1);
    await a.close();
  });

  it('a process that dies after "success" leaves its answer owed: another process gives it', async () => {
    // A fault injector's: the database paused, WeChat told "success", the process killed: 12 of
    // 20 people never answered (WeChat does not retry a callback it got "success" for).
    const prefix = `test:wxroute:${randomUUID()}:`;
    const dying = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6381');
    const pushedByDead: string[][] = [];
    const first = await app(
      () => new Promise<string[]>(() => undefined), // the turn never ends: the process dies
      async (_o, texts) => pushedByDead.push(texts),
      dying,
      { prefix },
    );
    const res = await post(first, xml('o-died', '1007'));
    expect(res.body).toBe('success');
    // Dead: no more renewals of its claim, nothing more from it.
    dying.disconnect();
    await first.close();
    const pushed: [string, string[]][] = [];
    const other = await app(
      async () => ['答复'],
      async (openId, texts) => pushed.push([openId, texts]),
      redis,
      { prefix, recoverEveryMs: 200, owedSilentMs: 4_000 },
    );
    // Once the dead one's claim has lapsed (its 4 s lease).
    await expect.poll(() => pushed, { timeout: 10_000 }).toEqual([['o-died', ['答复']]]);
    expect(pushedByDead).toEqual([]);
    await expect.poll(() => redis.hlen(`${prefix}wechat:owed`)).toBe(0);
    await other.close();
  }, 15_000);

  it('a live owner whose claim lapsed (Redis paused past its lease) keeps its answer: one push', async () => {
    // A reviewer's: another process took the owed answer as soon as the claim lapsed, and the
    // person got two answers (two turns on one message).
    const prefix = `test:wxroute:${randomUUID()}:`;
    const timing = { prefix, recoverEveryMs: 200, owedSilentMs: 2_000, owedHeartbeatMs: 500 };
    const pushed: string[][] = [];
    // (This one does not look for owed answers itself: the other process is the one tempted.)
    const owner = await app(
      () => new Promise((r) => setTimeout(() => r(['慢的回答']), 4_000)),
      async (_o, texts) => pushed.push(texts),
      redis,
      { ...timing, recoverEveryMs: 600_000 },
    );
    let ranElsewhere = 0;
    const other = await app(
      async () => {
        ranElsewhere++;
        return ['又一个回答'];
      },
      async (_o, texts) => pushed.push(texts),
      redis,
      timing,
    );
    const res = await post(owner, xml('o-alive', '1008'));
    expect(res.body).toBe('success');
    // The claim lapses under the live owner (as while Redis was paused).
    await redis.del(`${prefix}wechat:cb:msg:1008`);
    await expect.poll(() => pushed, { timeout: 8_000 }).toEqual([['慢的回答']]);
    await new Promise((r) => setTimeout(r, 600));
    expect(pushed).toHaveLength(1);
    expect(ranElsewhere).toBe(0);
    await owner.close();
    await other.close();
  }, 15_000);
});
