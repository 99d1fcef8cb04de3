import { get } from 'node:http';

/** One server-sent event block (`comment` for a `:` line alone, such as a heartbeat). */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

export interface SseClient {
  status: number;
  /** A response header (lower-case name). */
  header(name: string): string | undefined;
  /** Every block received so far, in order. */
  received: SseEvent[];
  /** The first block not yet taken that matches, waiting up to `timeoutMs` for it. */
  take(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the stream ends (the server ended it, or close()). */
  ended: Promise<void>;
  /** Drops the connection, as a closed tab does. */
  close(): void;
}

/**
 * An EventSource-like client for tests: parses the stream as it comes. node:http with no agent
 * (one connection per stream, destroyed on close): fetch's pool opens spare connections after an
 * aborted stream, which a closing server then waits on.
 */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      const received: SseEvent[] = [];
      const taken = new Set<number>();
      let wake: () => void = () => undefined;
      let buffer = '';
      let done = false;
      const ended = new Promise<void>((end) => {
        res.on('close', () => {
          done = true;
          wake();
          end();
        });
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          received.push(parseBlock(buffer.slice(0, at)));
          buffer = buffer.slice(at + 2);
        }
        wake();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        header: (name) => {
          const value = res.headers[name];
          return Array.isArray(value) ? value.join(', ') : value;
        },
        received,
        ended,
        async take(match, timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const i = received.findIndex((e, n) => !taken.has(n) && match(e));
            if (i >= 0) {
              taken.add(i);
              return received[i]!;
            }
            const left = deadline - Date.now();
            if (left <= 0 || done)
              throw new Error(`no matching event; got ${JSON.stringify(received)}`);
            await new Promise<void>((woken) => {
              const timer = setTimeout(woken, left);
              wake = () => {
                clearTimeout(timer);
                woken();
              };
            });
          }
        },
        close: () => req.destroy(),
      });
    });
  });
}

function parseBlock(block: string): SseEvent {
  const event: SseEvent = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) event.comment = line.slice(1).trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id' || field === 'event' || field === 'retry') event[field] = value;
    if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
  }
  return event;
}
