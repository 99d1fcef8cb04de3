import { createHash } from 'node:crypto';
import type { FastifyBaseLogger, FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { type OutgoingMessage } from '../../messaging/content.js';
import { type ChannelId, type InboundHandler } from '../../messaging/inbound.js';
import { LANGS, type Lang } from '../../messaging/lang.js';
import { z } from 'zod';
import { detectScript } from '../../lib/script.js';
import { firstLanguageTag, toInboundEvent, validationDetails, webMessageBody } from './inbound.js';
import { runOnce } from '../../lib/once.js';
import {
  createRateLimiter,
  DEFAULT_RATE_LIMIT,
  NEW_SESSION_LIMIT,
  type RateLimit,
} from './rate-limit.js';
import { createInbox, pushedTurn, type PushedTurn } from './inbox.js';
import { createPushHub, type OpenedStream } from './push-hub.js';
import { ensureSession, readSession } from './session.js';
import {
  createTranscript,
  TRANSCRIPT_TTL_SEC,
  TRANSCRIPT_TURNS_MAX,
  type TranscriptTurn,
} from './transcript.js';
import { loadWebAssets, renderPage } from './web.assets.js';

/** What the web chat needs from the composition root. */
export interface WebChatDeps {
  handleInbound: InboundHandler;
  redis: Redis;
  /** The page's own chrome text (locales/<lang>/web.json), by key. */
  uiStrings: (lang: Lang) => Record<string, string>;
  /** Token bucket per session; default a burst of 20, then 60 a minute. */
  rateLimit?: Partial<RateLimit>;
  /**
   * Token bucket per client address for messages that start a session (no valid cookie);
   * default a burst of 30, then 30 a minute: a carrier address shared by many people still
   * lets them all in, a script dropping the cookie on every request cannot make sessions.
   */
  newSessionLimit?: Partial<RateLimit>;
  /** A newcomer's greeting, computed without storing anything (conversations/greeting.ts). */
  greet?: (lang: Lang | null) => OutgoingMessage[];
  /** How long a session's transcript is kept after its last turn; default 6 hours. */
  transcriptTtlSec?: number;
  /** Clock for the rate limit (tests). */
  now?: () => number;
  /** Redis key prefix (default `lamton:`). */
  prefix?: string;
  /**
   * The channel person a page request speaks for, when another channel identified them (a
   * WeChat OpenID from OAuth): the page then continues that conversation instead of its own.
   */
  identify?: (request: FastifyRequest) => { channel: ChannelId; chatId: string } | null;
  /** Defaults to the request's logger. Never given message text. */
  log?: FastifyBaseLogger;
  /**
   * `GET /api/chat/events`: open streams per session (default 3) and per process (default
   * 1000), and the heartbeat interval (default 25 s).
   */
  events?: { perSession?: number; total?: number; heartbeatMs?: number };
}

/** `GET /api/chat/transcript`: the turns, and the pushed items among them by time. */
export interface WebTranscriptResponse {
  turns: (TranscriptTurn | PushedTurn)[];
  /** Server time (ms): the page's `since` for `GET /api/chat/events`. */
  now: number;
  /** Whether the request had a session cookie (only then can anything be pushed to it). */
  session: boolean;
}

/** `POST /api/chat/messages` answers with this (also what is stored for repeats). */
export interface WebChatResponse {
  replies: OutgoingMessage[];
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // A proxy must pass each event on at once (nginx buffers otherwise).
  'x-accel-buffering': 'no',
  // The stream is the connection's last response: it ends on shutdown, and so does the socket.
  connection: 'close',
};

/**
 * The web chat channel: the page and its assets at `/`, and the JSON API the page talks to.
 * Register after @fastify/cookie (with the session secret); not wrapped in fastify-plugin, so
 * its error handler only covers these routes.
 */
export function webChatRoutes(deps: WebChatDeps): FastifyPluginAsync {
  const prefix = deps.prefix ?? 'lamton:';
  const limited = createRateLimiter(deps.redis, { ...DEFAULT_RATE_LIMIT, ...deps.rateLimit });
  const newSessions = createRateLimiter(deps.redis, {
    ...NEW_SESSION_LIMIT,
    ...deps.newSessionLimit,
  });
  const transcript = createTranscript(deps.redis, prefix, {
    ttlSec: deps.transcriptTtlSec ?? TRANSCRIPT_TTL_SEC,
  });
  const inbox = createInbox(deps.redis, prefix);
  const now = deps.now ?? Date.now;

  return async (app) => {
    const assets = await loadWebAssets();
    const hub = createPushHub({
      redis: deps.redis,
      prefix,
      log: deps.log ?? app.log,
      ...deps.events,
    });
    // Open streams end before the server closes, so shutdown does not wait on them.
    app.addHook('preClose', (done) => {
      hub.close();
      done();
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) throw error; // the app's error handler hides 5xx details
      // Body-parser messages can quote the body: log the code only, answer with fixed text.
      (deps.log ?? request.log).info({ code: error.code, status }, 'web chat: bad request');
      const code =
        status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError
              ? 'invalid_json'
              : 'bad_request';
      return reply.code(status).send({ error: code });
    });

    app.get('/', async (_request, reply) => {
      return reply.headers(PAGE_HEADERS).send(renderPage(assets, deps.uiStrings));
    });

    app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
      const asset = assets.files.get(request.params['*']);
      if (!asset) return reply.code(404).send({ error: 'not_found' });
      reply.headers({
        'content-type': asset.contentType,
        'cache-control': 'public, max-age=31536000, immutable',
        etag: asset.etag,
        'x-content-type-options': 'nosniff',
      });
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });

    app.get<{ Querystring: { lang?: string } }>('/api/chat/ui', async (request, reply) => {
      const chosen = LANGS.find((lang) => lang === request.query.lang);
      if (!chosen) {
        return reply.code(400).send({
          error: 'validation',
          details: [{ path: 'lang', message: `one of ${LANGS.join(', ')}` }],
        });
      }
      return { lang: chosen, strings: deps.uiStrings(chosen) };
    });

    app.get<{ Querystring: { limit?: string } }>('/api/chat/transcript', async (request, reply) => {
      const query = transcriptQuery.safeParse(request.query);
      if (!query.success) {
        return reply
          .code(400)
          .send({ error: 'validation', details: validationDetails(query.error) });
      }
      reply.header('cache-control', 'no-store');
      const sid = readSession(request);
      const at = Date.now();
      if (!sid) return { turns: [], now: at, session: false } satisfies WebTranscriptResponse;
      const [turns, pushed] = await Promise.all([
        transcript.recent(sid, query.data.limit),
        inbox.recent(sid, at),
      ]);
      // Pushed items among the turns by time (a stable sort keeps equal times in order).
      const merged = [...turns, ...pushed.map(pushedTurn)].sort((a, b) => a.at - b.at);
      return {
        turns: merged.slice(-query.data.limit),
        now: at,
        session: true,
      } satisfies WebTranscriptResponse;
    });

    // Server-sent events: what is pushed to this session while the page is open.
    app.get<{ Querystring: { since?: string } }>('/api/chat/events', async (request, reply) => {
      const query = eventsQuery.safeParse(request.query);
      if (!query.success) {
        return reply
          .code(400)
          .send({ error: 'validation', details: validationDetails(query.error) });
      }
      reply.header('cache-control', 'no-store');
      const sid = readSession(request);
      // 204 tells EventSource to stop: the page opens it again once it has a session.
      if (!sid) return reply.code(204).send();
      const log = (deps.log ?? request.log).child({ chatId: sid });
      let opened: OpenedStream | null = null;
      let gone = false;
      reply.raw.on('close', () => {
        gone = true;
        if (typeof opened === 'object' && opened) opened.close();
      });
      const lastEventId = request.headers['last-event-id'];
      try {
        opened = await hub.open(sid, {
          lastEventId: typeof lastEventId === 'string' ? lastEventId.slice(0, 64) : undefined,
          since: query.data.since,
        });
      } catch (err) {
        log.warn({ err }, 'web chat: event stream failed');
        return reply
          .code(503)
          .header('retry-after', '5')
          .send({ error: 'unavailable', dependency: 'redis', retryAfter: 5 });
      }
      if (opened === 'session_limit') {
        log.info('web chat: too many event streams');
        return reply
          .code(429)
          .header('retry-after', '60')
          .send({ error: 'too_many_streams', retryAfter: 60 });
      }
      if (opened === 'full') {
        return reply
          .code(503)
          .header('retry-after', '30')
          .send({ error: 'unavailable', retryAfter: 30 });
      }
      if (gone) opened.close();
      return reply.code(200).headers(EVENT_STREAM_HEADERS).send(opened.body);
    });

    app.post('/api/chat/messages', { bodyLimit: 16 * 1024 }, async (request, reply) => {
      const known = readSession(request);
      if (!known) {
        // The page's automatic `start`: the greeting, and nothing stored, no cookie set.
        const body = request.body as { command?: unknown; text?: unknown; choice?: unknown } | null;
        if (
          deps.greet &&
          body?.command === 'start' &&
          body.text === undefined &&
          body.choice === undefined
        )
          return { replies: deps.greet(hintedLang(request.headers['accept-language'])) };
        // A new session: limited per client address (X-Forwarded-For only from TRUST_PROXY).
        const fresh = await newSessions(`${prefix}web:new:${request.ip}`, now());
        if (!fresh.allowed)
          return reply
            .code(429)
            .header('retry-after', String(fresh.retryAfterSec))
            .send({
              error: 'rate_limited',
              message: bilingual(deps, 'rateLimited'),
              lang: null,
              retryAfter: fresh.retryAfterSec,
            });
      }
      const sid = known ?? ensureSession(request, reply);
      const rate = await limited(`${prefix}web:rl:${sid}`, now());
      if (!rate.allowed) {
        // In the person's language: the script of what they wrote, else the conversation's.
        const written = (request.body as { text?: unknown } | null)?.text;
        const lang =
          (typeof written === 'string' ? detectScript(written) : null) ??
          (await transcript.lastLang(sid).catch(() => null)) ??
          hintedLang(request.headers['accept-language']);
        (deps.log ?? request.log).info(
          { chatId: sid, retryAfter: rate.retryAfterSec },
          'web chat: rate limited',
        );
        return reply
          .code(429)
          .header('retry-after', String(rate.retryAfterSec))
          .send({
            error: 'rate_limited',
            message: lang
              ? (deps.uiStrings(lang).rateLimited ?? 'rateLimited')
              : bilingual(deps, 'rateLimited'),
            lang: lang ?? null,
            retryAfter: rate.retryAfterSec,
          });
      }
      const parsed = webMessageBody.safeParse(request.body);
      if (!parsed.success) {
        return reply
          .code(400)
          .send({ error: 'validation', details: validationDetails(parsed.error) });
      }
      const page = toInboundEvent(parsed.data, sid, request.headers['accept-language']);
      const as = deps.identify?.(request);
      const event = as ? { ...page, channel: as.channel, chatId: as.chatId } : page;
      const log = (deps.log ?? request.log).child({ chatId: sid, clientId: event.messageId });
      const started = Date.now();
      const fingerprint = createHash('sha256')
        .update(JSON.stringify(event.input))
        .digest('hex')
        .slice(0, 16);
      const outcome = await runOnce(
        deps.redis,
        `${prefix}web:msg:${sid}:${event.messageId}`,
        async () => {
          const replies = await deps.handleInbound(event);
          // Kept for a reload; a lost transcript line must not fail (and so repeat) the turn.
          // A new session's transcript starts with the greeting the page was shown before it.
          const greeted =
            !known && deps.greet
              ? transcript.append(
                  sid,
                  { kind: 'command', name: 'start', args: '' },
                  deps.greet(hintedLang(request.headers['accept-language'])),
                  started - 1,
                )
              : Promise.resolve();
          await greeted
            .then(() => transcript.append(sid, event.input, replies, started))
            .catch((err: unknown) => log.warn({ err }, 'web chat: transcript write failed'));
          log.info(
            { input: event.input.kind, replies: replies.length, ms: Date.now() - started },
            'web chat: turn',
          );
          return `${fingerprint}|${JSON.stringify({ replies } satisfies WebChatResponse)}`;
        },
      );
      if (outcome.status === 'in_progress') return reply.code(409).send({ error: 'in_progress' });
      // The same clientId with another message: not that message's answer (it would be lost).
      // (A record from before fingerprints is the JSON alone.)
      const cut = outcome.body.startsWith('{') ? -1 : outcome.body.indexOf('|');
      if (cut > 0 && outcome.body.slice(0, cut) !== fingerprint)
        return reply.code(409).send({
          error: 'conflict',
          message: 'this clientId was used for another message; send it with a new clientId',
        });
      return reply.type('application/json; charset=utf-8').send(outcome.body.slice(cut + 1));
    });
  };
}

const eventsQuery = z.object({
  /** Server time (ms, from the transcript) after which kept items are sent first. */
  since: z.coerce.number().int().min(0).optional(),
});

const transcriptQuery = z.object({
  limit: z.coerce.number().int().min(1).max(TRANSCRIPT_TURNS_MAX).default(TRANSCRIPT_TURNS_MAX),
});

/** Both languages, one a line (the page marks each line with its language). */
function bilingual(deps: WebChatDeps, key: string): string {
  return LANGS.map((lang) => deps.uiStrings(lang)[key] ?? key).join('\n');
}

/** `bo-CN,…` → bo, `zh…` → zh-CN, anything else → null. */
function hintedLang(header: string | undefined): Lang | null {
  const tag = firstLanguageTag(header)?.toLowerCase() ?? '';
  return tag.startsWith('bo') ? 'bo' : tag.startsWith('zh') ? 'zh-CN' : null;
}
