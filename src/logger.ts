import { pino, type Logger } from 'pino';

/** pino with ids only: tokens, secrets, cookies and message text are redacted wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lamton' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-telegram-bot-api-secret-token"]',
          'res.headers["set-cookie"]',
          '*.text',
          '*.token',
          '*.secret',
          '*.password',
          'text',
          'token',
          'password',
        ],
        censor: '[redacted]',
      },
      serializers: {
        // An error as its kind, message and stack: never the properties libraries hang on it
        // (ioredis puts the command and its arguments, which can be a person's words, there).
        err: safeError,
        // Request URLs never carry secrets here, but query strings could carry user text.
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: loggedUrl(req.url),
        }),
      },
    },
    destination,
  );
}

/**
 * A request's URL as logged: no query string (it could carry a person's text) and no media
 * link's token (`/media/<token>` is a bearer link to a voice note or photo).
 */
export function loggedUrl(url: string | undefined): string | undefined {
  return url?.split('?')[0]?.replace(/^\/media\/[^/]+/u, '/media/[redacted]');
}

/** An error for the log: name, message, code and stack, and its cause the same way. */
export function safeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? { message: err } : err;
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: err.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: err.stack,
    ...(err.cause !== undefined && depth < 3 ? { cause: safeError(err.cause, depth + 1) } : {}),
  };
}
