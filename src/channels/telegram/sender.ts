import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Telegram, TelegramError } from 'telegraf';
import type { OutgoingMessage } from '../../messaging/content.js';
import {
  MEDIA_MAX_BYTES,
  SendError,
  type FetchedMedia,
  type Sender,
  type SendOptions,
} from '../../messaging/send.js';
import type { SendBudget } from './budget.js';
import { renderTelegram } from './render.js';

export interface TelegramSender extends Sender {
  /** The Bot API client (commands, webhook, callback answers use it too). */
  readonly api: Telegram;
  close(): void;
}

/** How long a sendMessage may go unanswered (the Bot API answers in well under a second). */
const SEND_TIMEOUT_MS = 20_000;
/**
 * Sends to a Telegram chat through the Bot API, on its own: a worker can use it without polling
 * or a webhook. Keep-alive (for http:// roots too), no Nagle delay (a small request held back for
 * an ACK cost up to 40 ms per reply). Failures come out as typed `SendError`s.
 */
export function createTelegramSender(opts: {
  token: string;
  apiRoot: string;
  /** The bot's shared budget a second (live replies and outreach, every process). */
  budget?: SendBudget;
  /** A sendMessage unanswered this long fails as `transient` (tests shorten it). */
  timeoutMs?: number;
}): TelegramSender {
  const agent = opts.apiRoot.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true, noDelay: true })
    : new HttpAgent({ keepAlive: true, noDelay: true });
  const api = new Telegram(opts.token, { apiRoot: opts.apiRoot, webhookReply: false, agent });
  // telegraf drops the agent for an http:// root (a self-hosted Bot API server on localhost), and
  // node-fetch then sends `Connection: close`: a new TCP connection per message. Keep ours.
  api.options.agent = agent;

  async function send(address: string, messages: OutgoingMessage[], o: SendOptions = {}) {
    const parts = messages.flatMap((m) => renderTelegram(m));
    const messageIds: string[] = [];
    let waited = 0;
    for (let i = o.skipParts ?? 0; i < parts.length;) {
      const part = parts[i]!;
      try {
        // telegraf waits 500 s for an answer: a Bot API that never answers held an outreach
        // send (and a worker's shutdown) that long.
        const sent = await api.callApi(
          'sendMessage',
          {
            chat_id: address,
            text: part.text,
            ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}),
          },
          // (telegraf types the signal as the abort-controller package's; node-fetch takes Node's.)
          { signal: AbortSignal.timeout(opts.timeoutMs ?? SEND_TIMEOUT_MS) as never },
        );
        messageIds.push(String(sent.message_id));
        opts.budget?.count(1, o.background ?? false);
        i++;
      } catch (err) {
        const failure = telegramSendError(err, i);
        const wait = failure.retryAfterMs ?? 0;
        if (failure.kind === 'rateLimited' && waited + wait <= (o.maxWaitMs ?? 0)) {
          waited += wait;
          await new Promise((r) => setTimeout(r, wait));
          continue; // from the refused part on: nothing is sent twice
        }
        throw failure;
      }
    }
    return { messageIds };
  }

  return {
    channel: 'telegram',
    api,
    send,
    parts: (messages) => messages.reduce((n, m) => n + renderTelegram(m).length, 0),
    preview: (messages) => messages.flatMap((m) => renderTelegram(m).map((p) => p.text)),
    ...(opts.budget ? { busy: () => opts.budget!.waitMs() } : {}),
    async fetchMedia(fileId): Promise<FetchedMedia> {
      const link = await api.getFileLink(fileId).catch((err: unknown) => {
        throw telegramSendError(err);
      });
      const res = await fetch(link, { signal: AbortSignal.timeout(30_000) }).catch(
        (err: unknown) => {
          throw telegramSendError(err);
        },
      );
      if (!res.ok)
        throw new SendError(res.status >= 500 ? 'transient' : 'rejected', `file ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.length > MEDIA_MAX_BYTES) throw new SendError('rejected', 'file too large');
      return { bytes, contentType: mediaType(link.pathname) };
    },
    close: () => agent.destroy(),
  };
}

/** A Bot API failure as one of the sender contract's kinds. */
export function telegramSendError(err: unknown, sent = 0): SendError {
  if (err instanceof SendError) return err;
  if (err instanceof TelegramError) {
    const description = err.response.description ?? err.message;
    if (err.code === 429) {
      const after = err.parameters?.retry_after ?? 1;
      return new SendError('rateLimited', description, after * 1000, sent);
    }
    // 403: blocked by the user, user deactivated, kicked; 400 chat not found: never reachable.
    if (err.code === 403 || /chat not found|user not found|PEER_ID_INVALID/i.test(description))
      return new SendError('blocked', description, undefined, sent);
    if (err.code >= 500) return new SendError('transient', description, undefined, sent);
    return new SendError('rejected', description, undefined, sent);
  }
  // Network: refused, reset, timed out, DNS — try again later.
  const message = err instanceof Error ? err.message : String(err);
  return new SendError('transient', message, undefined, sent);
}

/** Telegram says nothing of a file's type: the extension of its path does. */
function mediaType(path: string): string {
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  const types: Record<string, string> = {
    oga: 'audio/ogg',
    ogg: 'audio/ogg',
    mp3: 'audio/mpeg',
    m4a: 'audio/mp4',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    mp4: 'video/mp4',
    pdf: 'application/pdf',
  };
  return types[ext] ?? 'application/octet-stream';
}
