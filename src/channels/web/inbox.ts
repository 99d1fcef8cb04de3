import type { Redis } from 'ioredis';
import { z } from 'zod';
import { splitText } from '../../lib/split-text.js';
import type { OutgoingMessage } from '../../messaging/content.js';
import type { Lang } from '../../messaging/lang.js';

/** Pushed items kept per chat: the recent ones a page shows, not an archive. */
export const INBOX_ITEMS_MAX = 20;
/** How long a chat's pushed items are kept after the last push (the 6-hour transcript is far shorter). */
export const INBOX_TTL_SEC = 90 * 24 * 60 * 60;
/** Longest pushed text kept whole; longer text is cut at a safe boundary (never inside a stack). */
export const PUSH_TEXT_MAX = 4000;
/** Longest notice line (who sends it, how to stop it). */
export const PUSH_NOTICE_MAX = 300;
/** Messages in one push. */
export const PUSH_MESSAGES_MAX = 10;

const lang = z.enum(['zh-CN', 'bo']);
const itemSchema = z.object({
  id: z.string().min(1).max(64),
  at: z.number(),
  messages: z
    .array(
      z.object({
        text: z.string().max(PUSH_TEXT_MAX),
        lang,
        notice: z.string().max(PUSH_NOTICE_MAX).optional(),
        /** Buttons (a rating question, a follow-up's answers). */
        choices: z
          .array(z.object({ id: z.string().max(64), label: z.string().max(200) }))
          .max(10)
          .optional(),
      }),
    )
    .min(1)
    .max(PUSH_MESSAGES_MAX),
});
/** One push as stored in `web:inbox:{chatId}` and published on `web:push`. */
export type InboxItem = z.infer<typeof itemSchema>;

const published = z.object({ chatId: z.string().max(64), item: itemSchema });
/** What `web:push` carries: the chat and its new item. */
export type PublishedPush = z.infer<typeof published>;

/** A pushed item as the page gets it: an assistant turn marked `pushed`, beside the real ones. */
export interface PushedTurn {
  id: string;
  at: number;
  pushed: true;
  replies: {
    text: string;
    lang: Lang;
    notice?: string;
    choices?: { id: string; label: string }[];
  }[];
  /** The one language of its messages, or null. */
  lang: Lang | null;
}

export const inboxKey = (prefix: string, chatId: string) => `${prefix}web:inbox:${chatId}`;
/** The one pub/sub channel of pushes; every web process fans it out to its open pages. */
export const pushChannel = (prefix: string) => `${prefix}web:push`;

export interface Inbox {
  /** Stores the item (capped, expiry renewed) and publishes it, in one MULTI. */
  add(chatId: string, item: InboxItem): Promise<void>;
  /** The chat's kept items, oldest first, none older than the inbox's expiry. */
  recent(chatId: string, now: number): Promise<InboxItem[]>;
}

/**
 * The pushed messages of a web chat: a Redis list of JSON items that outlives the transcript, so
 * a person who opens the page days later still sees what was sent to them.
 */
export function createInbox(
  redis: Redis,
  prefix: string,
  { maxItems = INBOX_ITEMS_MAX, ttlSec = INBOX_TTL_SEC } = {},
): Inbox {
  return {
    async add(chatId, item) {
      const key = inboxKey(prefix, chatId);
      const results = await redis
        .multi()
        .rpush(key, JSON.stringify(item))
        .ltrim(key, -maxItems, -1)
        .expire(key, ttlSec)
        .publish(pushChannel(prefix), JSON.stringify({ chatId, item } satisfies PublishedPush))
        .exec();
      if (!results) throw new Error('inbox write aborted');
      for (const [err] of results) if (err) throw err;
    },
    async recent(chatId, now) {
      const raw = await redis.lrange(inboxKey(prefix, chatId), 0, -1);
      return raw
        .map(parseInboxItem)
        .filter((item): item is InboxItem => item !== null && item.at > now - ttlSec * 1000);
    },
  };
}

/** A stored item, or null when it does not parse. */
export function parseInboxItem(raw: string): InboxItem | null {
  try {
    const item = itemSchema.safeParse(JSON.parse(raw));
    return item.success ? item.data : null;
  } catch {
    return null;
  }
}

/** A `web:push` message, or null when it does not parse. */
export function parsePublishedPush(raw: string): PublishedPush | null {
  try {
    const push = published.safeParse(JSON.parse(raw));
    return push.success ? push.data : null;
  } catch {
    return null;
  }
}

/**
 * Outgoing content as an inbox item: text (with its links as lines) and notice, each cut at a
 * safe boundary when too long, with its buttons when it has any (a rating question).
 */
export function toInboxItem(messages: OutgoingMessage[], at: number, id: string): InboxItem {
  return {
    id,
    at,
    messages: messages.slice(0, PUSH_MESSAGES_MAX).map((m) => {
      return {
        text: capText(pushText(m), PUSH_TEXT_MAX),
        lang: m.lang,
        ...(m.notice ? { notice: capText(m.notice, PUSH_NOTICE_MAX) } : {}),
        ...(m.choices && m.choices.length > 0
          ? { choices: m.choices.slice(0, 10).map((c) => ({ id: c.id, label: c.label })) }
          : {}),
      };
    }),
  };
}

/** A message's text with its links, one a line (the page shows text only). */
export function pushText(message: OutgoingMessage): string {
  const links = (message.media ?? []).map((link) => `${link.title} ${link.url}`);
  return [message.text, ...links].filter((part) => part.length > 0).join('\n');
}

/** The item as the page renders it (transcript entry and `push` event alike). */
export function pushedTurn(item: InboxItem): PushedTurn {
  const langs = new Set(item.messages.map((m) => m.lang));
  const [only] = [...langs];
  return {
    id: item.id,
    at: item.at,
    pushed: true,
    replies: item.messages.map((m) => ({
      text: m.text,
      lang: m.lang,
      ...(m.notice ? { notice: m.notice } : {}),
      ...(m.choices ? { choices: m.choices } : {}),
    })),
    lang: langs.size === 1 && only ? only : null,
  };
}

/** Text of at most `max` characters: whole, or cut where `splitText` would cut it, with "…". */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${splitText(text, max - 1)[0] ?? ''}…`;
}
