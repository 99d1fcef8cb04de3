import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import {
  createInbox,
  parsePublishedPush,
  pushChannel,
  pushedTurn,
  type InboxItem,
} from './inbox.js';
import { throttledWarn } from '../../lib/log-throttle.js';

/** Open event streams of one session (tabs); one more is refused with 429. */
export const STREAMS_PER_SESSION = 3;
/** Open event streams of this process; one more is refused with 503. */
export const STREAMS_MAX = 1000;
/** A comment line this often keeps proxies and mobile networks from dropping an idle stream. */
export const HEARTBEAT_MS = 25_000;
/** What `retry:` asks of EventSource after a dropped connection. */
const RETRY_MS = 5000;
/** Items at most this much older than the page's `since` are sent again (clocks differ a bit). */
const SKEW_MS = 5000;
/** A stream whose client reads slower than this much is buffered is ended (it reconnects). */
const BUFFERED_MAX = 512 * 1024;

export interface PushHubOptions {
  redis: Redis;
  prefix: string;
  log: FastifyBaseLogger;
  perSession?: number;
  total?: number;
  heartbeatMs?: number;
}

/** Where a stream starts: after the item the browser saw last, or after a time (ms). */
export interface StreamCursor {
  lastEventId?: string | undefined;
  since?: number | undefined;
}

export type OpenedStream = { body: PassThrough; close(): void } | 'session_limit' | 'full';

export interface PushHub {
  /** Opens a `text/event-stream` body for a chat: the items after `cursor`, then live ones. */
  open(chatId: string, cursor: StreamCursor): Promise<OpenedStream>;
  /** Ends every stream and the subscriber connection (server shutdown). */
  close(): void;
}

interface Stream {
  chatId: string;
  body: PassThrough;
  /** Ids written, so an item replayed and published at once goes out once. */
  sent: Set<string>;
  /** Live items held back while the replay is read (then written in order); null after. */
  held: InboxItem[] | null;
  closed: boolean;
}

/**
 * Server-sent events for open pages: ONE subscriber connection per process (a duplicate of the
 * Redis client, made at the first stream) on `web:push`, fanned out in memory by chat id.
 */
export function createPushHub(opts: PushHubOptions): PushHub {
  const perSession = opts.perSession ?? STREAMS_PER_SESSION;
  const maxTotal = opts.total ?? STREAMS_MAX;
  const channel = pushChannel(opts.prefix);
  const inbox = createInbox(opts.redis, opts.prefix);
  const byChat = new Map<string, Set<Stream>>();
  let total = 0;
  let subscriber: Redis | null = null;
  let subscribed: Promise<unknown> | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let closed = false;

  function subscribe(): Promise<unknown> {
    if (!subscriber) {
      const sub = opts.redis.duplicate({ enableAutoPipelining: false });
      sub.on('error', throttledWarn(opts.log, 'web push: subscriber'));
      sub.on('message', (from: string, raw: string) => {
        if (from !== channel) return;
        const push = parsePublishedPush(raw);
        if (push) for (const s of byChat.get(push.chatId) ?? []) deliver(s, push.item);
      });
      subscriber = sub;
    }
    // A failed subscribe is tried again by the next stream; ioredis resubscribes on reconnects.
    subscribed ??= subscriber.subscribe(channel).catch((err: unknown) => {
      subscribed = null;
      throw err;
    });
    return subscribed;
  }

  function deliver(s: Stream, item: InboxItem): void {
    if (s.closed || s.sent.has(item.id)) return;
    if (s.held) {
      s.held.push(item);
      return;
    }
    s.sent.add(item.id);
    if (s.sent.size > 100) s.sent.delete(s.sent.values().next().value ?? '');
    write(s, `id: ${item.id}\nevent: push\ndata: ${JSON.stringify(pushedTurn(item))}\n\n`);
  }

  function write(s: Stream, text: string): void {
    if (s.closed) return;
    if (s.body.writableLength + s.body.readableLength > BUFFERED_MAX) return remove(s);
    s.body.write(text);
  }

  function remove(s: Stream): void {
    if (s.closed) return;
    s.closed = true;
    const mine = byChat.get(s.chatId);
    mine?.delete(s);
    if (mine?.size === 0) byChat.delete(s.chatId);
    total--;
    s.body.end();
    if (total === 0 && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  }

  return {
    async open(chatId, cursor) {
      const mine = byChat.get(chatId) ?? new Set<Stream>();
      if (closed || total >= maxTotal) return 'full';
      if (mine.size >= perSession) return 'session_limit';
      // The slot is taken before anything is awaited, so concurrent opens respect the limits.
      const s: Stream = {
        chatId,
        body: new PassThrough(),
        sent: new Set(),
        held: [],
        closed: false,
      };
      mine.add(s);
      byChat.set(chatId, mine);
      total++;
      heartbeat ??= setInterval(() => {
        for (const streams of byChat.values()) for (const t of streams) write(t, ':\n\n');
      }, opts.heartbeatMs ?? HEARTBEAT_MS).unref();
      try {
        await subscribe(); // before the replay is read: nothing published meanwhile is missed
        const items = await inbox.recent(chatId, Date.now());
        write(s, `retry: ${RETRY_MS}\n: connected\n\n`);
        const held = s.held ?? [];
        s.held = null;
        for (const item of [...replayed(items, cursor), ...held]) deliver(s, item);
      } catch (err) {
        remove(s);
        throw err;
      }
      return { body: s.body, close: () => remove(s) };
    },
    close() {
      closed = true;
      for (const streams of [...byChat.values()]) for (const s of [...streams]) remove(s);
      subscriber?.disconnect();
      subscriber = null;
      subscribed = null;
    },
  };
}

/** The kept items a new stream sends first: after the last one seen, else after `since`. */
function replayed(items: InboxItem[], cursor: StreamCursor): InboxItem[] {
  const seen = cursor.lastEventId ? items.findIndex((i) => i.id === cursor.lastEventId) : -1;
  if (seen >= 0) return items.slice(seen + 1);
  const since = cursor.since;
  return since === undefined ? [] : items.filter((item) => item.at > since - SKEW_MS);
}
