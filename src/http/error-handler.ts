import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type AppErrorCode } from '../errors.js';
import { ConversationBusyError } from '../conversations/session.store.js';
import { isDatabaseUnavailable, isRedisUnavailable } from '../lib/db-errors.js';
import { OUTAGE_RETRY_AFTER_S } from './plugins/outage.js';

const STATUS: Record<AppErrorCode, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  busy: 429,
  unavailable: 503,
};

/** Maps errors to statuses; bad input is never a 5xx and 5xx bodies never carry details. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not_found' }));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // An id in the path that could never exist is an unknown id (the contract: 404 for an
    // unknown or malformed id), whatever its route's pattern.
    if (err.validation && err.validationContext === 'params')
      return reply.code(404).send({ error: 'not_found' });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path: withUnknownKey(v.instancePath.replace(/^\//, '').replaceAll('/', '.'), v.message),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send({ error: 'validation', details });
    }
    if (err instanceof AppError) {
      return reply.code(STATUS[err.code]).send({
        error: err.code,
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
      });
    }
    if (err instanceof ConversationBusyError)
      return reply.code(429).send({ error: 'busy', message: 'try again shortly' });
    if (err.validation) {
      const details = err.validation.map((v) => ({
        path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send({ error: 'validation', details });
    }
    // A dependency that went away mid-request (before the outage guard could notice): "later",
    // never a 500 — the page keeps the text and retries, Telegram retries a non-2xx webhook.
    const down = isDatabaseUnavailable(err) ? 'mongodb' : isRedisUnavailable(err) ? 'redis' : null;
    if (down) {
      req.log.warn({ dependency: down }, 'dependency down mid-request: 503');
      return reply
        .code(503)
        .header('retry-after', String(OUTAGE_RETRY_AFTER_S))
        .send({ error: 'unavailable', dependency: down, retryAfter: OUTAGE_RETRY_AFTER_S });
    }
    const status = err.statusCode ?? 500;
    if (status === 400) {
      // Fastify's body parser: the contract's validation shape, with a fixed text (a parser's
      // message can quote the body).
      return reply
        .code(400)
        .send({ error: 'validation', details: [{ path: '', message: bodyProblem(err) }] });
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: body too large, wrong content type, …
      return reply.code(status).send({ error: errorName(status), message: err.message });
    }
    req.log.error({ err }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal', message: 'Something went wrong on our side.' });
  });
}

function errorName(status: number): string {
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  return status === 400 ? 'bad_request' : 'client_error';
}

/** What is wrong with a body the parser refused, in words that never quote it. */
function bodyProblem(err: FastifyError): string {
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'the body is empty';
  if (/prototype/i.test(err.message))
    return 'the body has a forbidden key (__proto__, constructor)';
  if (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)
    return 'the body is not valid JSON';
  return 'bad request';
}

/** A strict object's unknown field named in the path (zod says it only in the message). */
function withUnknownKey(path: string, message: string | undefined): string {
  const key = /^Unrecognized keys?: "([^"]+)"/.exec(message ?? '')?.[1];
  if (!key) return path;
  return path ? `${path}.${key}` : key;
}
