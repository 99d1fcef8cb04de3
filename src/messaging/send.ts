import type { OutgoingMessage } from './content.js';
import type { Lang } from './lang.js';
import type { ChannelId } from './inbound.js';

/**
 * The sender contract every channel keeps, usable on its own from a worker process (no
 * polling, no inbound handler). `send` renders and sends; it never sleeps for long: a failure
 * is thrown as a `SendError` of one of four kinds, and the caller decides (a live reply may wait
 * a short `retryAfterMs`; a queue worker turns them into a rate limit, a permanent failure or a
 * retry).
 */
export interface Sender {
  readonly channel: ChannelId;
  /** `address`: the channel's id of the person (Telegram chat id, WeChat OpenID). */
  send(address: string, messages: OutgoingMessage[], opts?: SendOptions): Promise<SendResult>;
  /**
   * How many of the channel's messages these would become (a long text is split): outreach
   * refuses, when it is written, an announcement that would not fit in one.
   */
  parts?(messages: OutgoingMessage[]): number;
  /**
   * Milliseconds outreach should wait because the channel's shared budget is used up this
   * second (Telegram: about 30/s for the whole bot, live replies included), else 0. Live replies
   * never ask: they come first.
   */
  busy?(): Promise<number>;
  /** The texts the channel would show for these (a preview for the people who write outreach). */
  preview?(messages: OutgoingMessage[]): string[];
  /**
   * A fixed-field notification for when free text may not go (WeChat outside a person's 48-hour
   * window: a template message). Absent where the channel has none or it is not configured.
   */
  sendNotification?(address: string, notification: Notification): Promise<SendResult>;
  /**
   * The bytes of something the person sent (a Telegram `file_id`, a WeChat `MediaId`), fetched
   * with the channel's own credentials, so a counsellor gets a link of ours, never the channel's
   * (its URL carries the bot token). Absent where the channel keeps no media.
   */
  fetchMedia?(id: string): Promise<FetchedMedia>;
  /** Frees connections (keep-alive agents) when the process stops. */
  close?(): void;
}

/** What a template-style notification carries: what it is about and where to read it all. */
export interface Notification {
  lang: Lang;
  /** The announcement's title. */
  title: string;
  /** One line: who sends it and how to read it in full. */
  summary: string;
  /** A page with the whole text. */
  url?: string;
}

export interface FetchedMedia {
  bytes: Buffer;
  contentType: string;
}

/** Longest media we pass on (Telegram's Bot API serves files up to 20 MB). */
export const MEDIA_MAX_BYTES = 20 * 1024 * 1024;

export interface SendOptions {
  /**
   * A live reply may wait this long for a rate limit to pass (then goes on from the part that
   * was refused); 0, the default, never waits: the caller gets `rateLimited` at once.
   */
  maxWaitMs?: number;
  /** Outreach, alerts: not a reply to someone waiting (counted apart, it yields to replies). */
  background?: boolean;
  /**
   * Parts an earlier try already delivered (its `SendError.sent`): not sent again, so a retry
   * of two messages whose second failed does not repeat the first.
   */
  skipParts?: number;
}

export interface SendResult {
  /** The channel's ids of what was sent, in order (a long message may become several). */
  messageIds: string[];
}

export type SendFailure =
  /** Permanent: the person blocked the bot, unfollowed, or the address does not exist. */
  | 'blocked'
  /** The channel asks us to slow down: try again after `retryAfterMs`. */
  | 'rateLimited'
  /** WeChat: outside the 48-hour customer-service window (or its 5 messages are used). */
  | 'windowClosed'
  /** 5xx, network, timeouts: try again later. */
  | 'transient'
  /** Permanent for this content: the channel refused the request itself (a 400 of ours). */
  | 'rejected';

export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    readonly kind: SendFailure,
    message: string,
    readonly retryAfterMs?: number,
    /** How many of the messages' parts went out before the failure. */
    readonly sent = 0,
  ) {
    super(message);
  }
}

/** Whether trying the same send again later can succeed. */
export function isRetryable(err: unknown): boolean {
  return !(err instanceof SendError) || err.kind === 'rateLimited' || err.kind === 'transient';
}
