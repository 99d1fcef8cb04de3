import type { FastifyBaseLogger, FastifyError, FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import { LANGS, type InboundHandler, type Lang, type OutgoingMessage } from '../channel.js';
import { toInboundEvent, validationDetails, webMessageBody } from './inbound.js';
import { runOnce } from './once.js';
import { withinRateLimit } from './rate-limit.js';
import { ensureSession } from './session.js';
import { loadWebAssets, renderPage } from './web.assets.js';

/** What the web chat needs from the composition root. */
export interface WebChatDeps {
  handleInbound: InboundHandler;
  redis: Redis;
  /** The page's own chrome text (locales/<lang>/web.json), by key. */
  uiStrings: (lang: Lang) => Record<string, string>;
  /** Messages per session per minute; default 30. */
  rateLimitPerMinute?: number;
  /** Redis key prefix (default `lamton:`). */
  prefix?: string;
  /** Defaults to the request's logger. Never given message text. */
  log?: FastifyBaseLogger;
}

/** `POST /api/chat/messages` answers with this (also what is stored for repeats). */
export interface WebChatResponse {
  replies: OutgoingMessage[];
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The web chat channel: the page and its assets at `/`, and the JSON API the page talks to.
 * Register after @fastify/cookie (with the session secret); not wrapped in fastify-plugin, so
 * its error handler only covers these routes.
 */
export function webChatRoutes(deps: WebChatDeps): FastifyPluginAsync {
  const perMinute = deps.rateLimitPerMinute ?? 30;
  const prefix = deps.prefix ?? 'lamton:';

  return async (app) => {
    const assets = await loadWebAssets();

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

    app.post('/api/chat/messages', { bodyLimit: 16 * 1024 }, async (request, reply) => {
      const sid = ensureSession(request, reply);
      if (!(await withinRateLimit(deps.redis, `${prefix}web:rl:${sid}`, perMinute))) {
        return reply
          .code(429)
          .send({ error: 'rate_limited', message: bilingual(deps, 'rateLimited') });
      }
      const parsed = webMessageBody.safeParse(request.body);
      if (!parsed.success) {
        return reply
          .code(400)
          .send({ error: 'validation', details: validationDetails(parsed.error) });
      }
      const event = toInboundEvent(parsed.data, sid, request.headers['accept-language']);
      const log = (deps.log ?? request.log).child({ chatId: sid, clientId: event.messageId });
      const started = Date.now();
      const outcome = await runOnce(
        deps.redis,
        `${prefix}web:msg:${sid}:${event.messageId}`,
        async () => {
          const replies = await deps.handleInbound(event);
          log.info(
            { input: event.input.kind, replies: replies.length, ms: Date.now() - started },
            'web chat: turn',
          );
          return JSON.stringify({ replies } satisfies WebChatResponse);
        },
      );
      if (outcome.status === 'in_progress') return reply.code(409).send({ error: 'in_progress' });
      return reply.type('application/json; charset=utf-8').send(outcome.body);
    });
  };
}

function bilingual(deps: WebChatDeps, key: string): string {
  return LANGS.map((lang) => deps.uiStrings(lang)[key] ?? key).join(' / ');
}
