import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, isRedisUnavailable } from '../../lib/db-errors.js';
import { runOnce } from '../../lib/once.js';
import { isRetryable, SendError } from '../../messaging/send.js';
import { signatureMatches, wechatSignature, type WechatCipher } from './crypto.js';
import { callbackKey } from './inbound.js';
import {
  createOwedReplies,
  OWED_HEARTBEAT_MS,
  OWED_SILENT_MS,
  RECOVER_EVERY_MS,
  startOwedRecovery,
} from './owed.js';
import { encryptedReplyXml, parseWechatXml, textReplyXml, type WechatXml } from './xml.js';

/** WeChat gives a callback 5 s; a passive reply must be ready before this. */
export const PASSIVE_WITHIN_MS = 4_000;
/** Lease of a callback's claim (renewed while its turn runs): a crashed owner frees it within this. */
const CALLBACK_LEASE_S = 4;
/** A callback's message that will never reach its turn (trying again cannot help). */
export class CallbackDroppedError extends Error {
  override readonly name = 'CallbackDroppedError';
}

/** Tries of a turn that failed after WeChat was answered "success" (outages not counted). */
const LATE_ATTEMPTS = 5;
/** A callback is small; anything bigger is not WeChat's. */
const BODY_LIMIT = 64 * 1024;
/**
 * How far a plaintext callback's signed `timestamp` may be from our clock: its signature covers
 * token, timestamp and nonce only (not the body), so without this one signature seen once (in
 * an access log, a proxy's log) would pass with any body for ever. (In safe mode `msg_signature`
 * covers the body: a replay is the same message again, answered once by its MsgId.)
 */
export const MAX_SKEW_S = 300;

export interface WechatWebhookDeps {
  token: string;
  /** Safe mode (EncodingAESKey set): decrypts callbacks and encrypts replies. */
  cipher?: WechatCipher;
  redis: Redis;
  prefix: string;
  log: Logger;
  /** Runs the callback's turn; the rendered reply texts. */
  receive(xml: WechatXml): Promise<string[]>;
  /** Sends texts as customer-service messages (a late answer, the rest of a passive one). */
  push(openId: string, texts: string[]): Promise<unknown>;
  passiveWithinMs?: number;
  /** How often a web process looks for answers a dead one owed (ms). */
  recoverEveryMs?: number;
  /** How long an owed answer's owner must have been silent before another takes it (ms). */
  owedSilentMs?: number;
  /** How often the owner of an owed answer says it is alive (ms). */
  owedHeartbeatMs?: number;
}

type Query = Record<string, string | undefined>;

/**
 * `/webhooks/wechat`, WeChat's callback URL, on our own server. GET: the URL check (sha1 of
 * token, timestamp and nonce = `signature` → echo `echostr`). POST: plaintext, or safe mode only
 * when an EncodingAESKey is set; a wrong signature (or a plaintext one over 5 minutes old) is 401 and nothing is done; malformed XML is 400; each message once (by
 * MsgId, events by person and time) across all processes. The answer goes back passively when
 * the turn is done within about 4 s; otherwise WeChat gets "success" and the answer follows as
 * customer-service messages.
 */
export function wechatWebhookRoutes(deps: WechatWebhookDeps): FastifyPluginAsync {
  const passiveMs = deps.passiveWithinMs ?? PASSIVE_WITHIN_MS;
  const log = deps.log.child({ channel: 'wechat' });
  const owed = createOwedReplies(deps.redis, deps.prefix);
  const claimKey = (key: string) => `${deps.prefix}wechat:cb:${key}`;

  const signed = (q: Query) =>
    signatureMatches(q.signature, wechatSignature(deps.token, q.timestamp ?? '', q.nonce ?? ''));
  const fresh = (q: Query) => Math.abs(Date.now() / 1000 - Number(q.timestamp)) <= MAX_SKEW_S;

  return async (app) => {
    const stopRecovery = startOwedRecovery({
      owed,
      log,
      everyMs: deps.recoverEveryMs ?? RECOVER_EVERY_MS,
      silentMs: deps.owedSilentMs ?? OWED_SILENT_MS,
      answer: answerOwed,
    });
    app.addHook('onClose', async () => stopRecovery());
    app.addContentTypeParser(
      ['text/xml', 'application/xml', 'text/plain'],
      { parseAs: 'string', bodyLimit: BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );

    app.get('/webhooks/wechat', { schema: { hide: true } }, async (req, reply) => {
      const q = req.query as Query;
      if (!signed(q)) return reply.code(401).send({ error: 'unauthorized' });
      // One echostr (a repeated parameter arrives as an array): WeChat sends one.
      const echo = typeof q.echostr === 'string' ? q.echostr : '';
      return reply.type('text/plain').send(echo);
    });

    app.post('/webhooks/wechat', { schema: { hide: true } }, async (req, reply) => {
      const q = req.query as Query;
      if (!signed(q)) return reply.code(401).send({ error: 'unauthorized' });
      if (typeof req.body !== 'string') return reply.code(400).send({ error: 'bad_request' });
      const aes = q.encrypt_type === 'aes';
      // With an EncodingAESKey every callback of WeChat is encrypted (safe and compatible
      // modes): a plaintext one is not WeChat's, and its body is covered by no signature.
      if (deps.cipher && !aes) return reply.code(401).send({ error: 'unauthorized' });
      if (!aes && !fresh(q)) return reply.code(401).send({ error: 'unauthorized' });
      let xml = parseWechatXml(req.body);
      if (!xml) return reply.code(400).send({ error: 'bad_request', message: 'malformed XML' });
      if (aes) {
        const encrypted = xml.Encrypt ?? '';
        const expected = wechatSignature(deps.token, q.timestamp ?? '', q.nonce ?? '', encrypted);
        if (!deps.cipher || !signatureMatches(q.msg_signature, expected))
          return reply.code(401).send({ error: 'unauthorized' });
        try {
          xml = parseWechatXml(deps.cipher.decrypt(encrypted));
        } catch {
          return reply.code(400).send({ error: 'bad_request', message: 'cannot decrypt' });
        }
        if (!xml) return reply.code(400).send({ error: 'bad_request', message: 'malformed XML' });
      }
      const key = callbackKey(xml);
      const openId = xml.FromUserName;
      if (!key || !openId) return reply.type('text/plain').send('success');

      const texts = await answerOnce(xml, key, openId);
      // The turn failed (a dependency away): not "success", so WeChat tries the callback again.
      if (texts === 'failed')
        return reply.code(503).header('retry-after', '5').send({ error: 'unavailable' });
      if (!texts || texts.length === 0) return reply.type('text/plain').send('success');
      const [first, ...rest] = texts;
      if (rest.length > 0) pushInBackground(openId, rest);
      const nowS = Math.floor(Date.now() / 1000);
      const plain = textReplyXml(openId, xml.ToUserName ?? '', first ?? '', nowS);
      if (!aes || !deps.cipher) return reply.type('application/xml').send(plain);
      const encrypt = deps.cipher.encrypt(plain);
      const timestamp = String(nowS);
      const nonce = randomBytes(8).toString('hex');
      return reply
        .type('application/xml')
        .send(
          encryptedReplyXml(
            encrypt,
            wechatSignature(deps.token, timestamp, nonce, encrypt),
            timestamp,
            nonce,
          ),
        );
    });
  };

  /**
   * Runs the turn once per key. Resolves with the texts for a passive reply when they are ready
   * within `passiveMs`; else with null (WeChat gets "success") and the texts are pushed when
   * ready. A repeat of a callback already answered resolves null.
   */
  function answerOnce(
    xml: WechatXml,
    key: string,
    openId: string,
  ): Promise<string[] | null | 'failed'> {
    return new Promise((resolve) => {
      // waiting → answered (passive reply) or late ("success", then pushed); only the process
      // that runs the turn decides that. A repeat waits for the runner's outcome instead.
      let state: 'waiting' | 'late' | 'answered' = 'waiting';
      let owner = false;
      // Counted from the callback's arrival, claimed or not: with Redis slow (paused), the claim
      // itself took WeChat's whole 5 s, the answer went to a closed socket and the retry found
      // the message claimed. Not yet claimed here: not "success" (WeChat asks again); a turn
      // that still runs here is late and pushes its answer.
      const timer = setTimeout(() => {
        if (state !== 'waiting') return;
        state = 'late';
        if (!owner) return resolve('failed');
        // "success" ends WeChat's retries: the answer owed is written down first, so another
        // process gives it if this one dies before it does. Not written: WeChat asks again.
        owed.owe(key, xml).then(
          () => resolve(null),
          () => resolve('failed'),
        );
        heartbeat = setInterval(() => {
          owed.owe(key, xml).catch(() => undefined);
        }, deps.owedHeartbeatMs ?? OWED_HEARTBEAT_MS);
        heartbeat.unref();
      }, passiveMs);
      let heartbeat: NodeJS.Timeout | undefined;
      const settle = async () => {
        clearInterval(heartbeat);
        await owed.settle(key).catch(() => undefined);
      };
      runOnce(
        deps.redis,
        claimKey(key),
        async () => {
          owner = true;
          let texts: string[];
          try {
            texts = await receiveLate(xml, () => state === 'late');
          } catch (err) {
            if (state === 'late') await settle();
            throw err;
          }
          if (state === 'waiting') {
            state = 'answered';
            clearTimeout(timer);
            resolve(texts);
            return 'passive';
          }
          if (texts.length > 0) await pushWithRetry(openId, texts);
          await settle();
          return 'pushed';
        },
        // A short lease: after a crash mid-turn, WeChat's retry 5 s later finds the claim lapsed.
        { waitMs: passiveMs, leaseSec: CALLBACK_LEASE_S },
      ).then(
        (result) => {
          clearTimeout(timer);
          // A repeat of an answered callback: "success". One still running elsewhere: not
          // "success" (that would end WeChat's retries), so WeChat asks again.
          if (!owner) resolve(result.status === 'done' ? null : 'failed');
        },
        (err: unknown) => {
          log.error({ err }, 'wechat callback failed');
          clearTimeout(timer);
          resolve('failed');
        },
      );
    });
  }

  /**
   * Answers an owed callback here (its owner stopped): the turn runs, late, and its answer is
   * pushed; false when a live owner still holds its claim.
   */
  async function answerOwed(key: string, xml: WechatXml, openId: string): Promise<boolean> {
    const result = await runOnce(
      deps.redis,
      claimKey(key),
      async () => {
        log.warn('wechat answer owed by a stopped process: answering it here');
        const texts = await receiveLate(xml, () => true);
        if (texts.length > 0) await pushWithRetry(openId, texts);
        return 'pushed';
      },
      { waitMs: 0, leaseSec: CALLBACK_LEASE_S },
    );
    return result.status === 'done';
  }

  /**
   * The turn; when it fails after WeChat was answered "success" (which ends WeChat's retries),
   * tried again here: an outage is waited out, however long, anything else a few times. Before
   * that, a failure is the callback's (503: WeChat asks again).
   */
  async function receiveLate(xml: WechatXml, late: () => boolean): Promise<string[]> {
    for (let attempt = 1, wait = 500; ; wait = Math.min(wait * 2, 30_000)) {
      try {
        return await deps.receive(xml);
      } catch (err) {
        if (!late() || err instanceof CallbackDroppedError) throw err;
        const outage =
          deps.redis.status !== 'ready' || isDatabaseUnavailable(err) || isRedisUnavailable(err);
        if (!outage && attempt >= LATE_ATTEMPTS) throw err;
        if (!outage) attempt++;
        log.warn({ err, attempt }, 'wechat turn failed after "success"; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  function pushInBackground(openId: string, texts: string[]): void {
    pushWithRetry(openId, texts).catch((err: unknown) =>
      log.error({ err }, 'wechat customer-service message failed'),
    );
  }

  /** A few tries for what can pass (rate limit, network); none for a closed window or a block. */
  async function pushWithRetry(openId: string, texts: string[]): Promise<void> {
    for (let attempt = 1, wait = 1_000; ; attempt++, wait *= 2) {
      try {
        await deps.push(openId, texts);
        return;
      } catch (err) {
        if (attempt >= 4 || !isRetryable(err)) {
          const kind = err instanceof SendError ? err.kind : 'unknown';
          log.warn({ kind, attempt }, 'wechat reply not delivered');
          return;
        }
        const after = err instanceof SendError ? (err.retryAfterMs ?? wait) : wait;
        await new Promise((r) => setTimeout(r, Math.min(after, 30_000)));
      }
    }
  }
}
