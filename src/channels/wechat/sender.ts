import type { OutgoingMessage } from '../../messaging/content.js';
import {
  SendError,
  type Notification,
  type Sender,
  type SendOptions,
} from '../../messaging/send.js';
import { WechatApiError, type WechatApi } from './api.js';
import { renderWechat } from './render.js';
import type { ServiceWindow } from './window.js';

export interface WechatSender extends Sender {
  /** The API client it sends with (the puppet reads contacts through it too). */
  readonly api: WechatApi;
  /** Already rendered texts (the rest of a passive reply, a puppet's `say`). */
  sendTexts(openId: string, texts: readonly string[]): Promise<{ messageIds: string[] }>;
}

/** Out of the 48-hour window (45015), or its messages used up (45047). */
const WINDOW = new Set([45015, 45047]);
/** Unfollowed (43004), blacklisted (43019), not a user of this account (40003). */
const BLOCKED = new Set([43004, 43019, 40003]);
/** API call frequency or daily quota reached. */
const LIMITED = new Set([45009, 45011]);

/**
 * Sends customer-service messages to a WeChat person (usable alone, from a worker): renders,
 * takes the messages from the person's 48-hour window (`windowClosed` when it is shut or used
 * up, before anything is sent), and reports WeChat's answers as the contract's kinds.
 */
export function createWechatSender(
  api: WechatApi,
  window: ServiceWindow,
  opts: { templateId?: string | undefined } = {},
): WechatSender {
  async function sendTexts(openId: string, texts: readonly string[]) {
    const state = await window.reserve(openId, texts.length);
    if (state !== 'ok')
      throw new SendError(
        'windowClosed',
        state === 'closed' ? 'no message from the person within 48 h' : 'window used up',
      );
    const messageIds: string[] = [];
    try {
      for (const text of texts) messageIds.push(await api.sendText(openId, text));
    } catch (err) {
      await window.release(openId, texts.length - messageIds.length).catch(() => undefined);
      throw wechatSendError(err, messageIds.length);
    }
    return { messageIds };
  }
  const { templateId } = opts;
  return {
    channel: 'wechat',
    api,
    sendTexts,
    send: async (openId: string, messages: OutgoingMessage[], o: SendOptions = {}) => {
      const skip = o.skipParts ?? 0;
      try {
        return await sendTexts(openId, renderWechat(messages).slice(skip));
      } catch (err) {
        // Counted from the first part of the messages, as the caller gave them.
        throw err instanceof SendError && skip > 0
          ? new SendError(err.kind, err.message, err.retryAfterMs, err.sent + skip)
          : err;
      }
    },
    parts: (messages) => renderWechat(messages).length,
    preview: (messages) => renderWechat(messages),
    async fetchMedia(mediaId: string) {
      try {
        return await api.media(mediaId);
      } catch (err) {
        throw wechatSendError(err);
      }
    },
    // Outside the window, outreach goes as the account's template message (WECHAT_TEMPLATE_ID):
    // fixed fields, not free text: what it is about, when, and how to read it in full.
    ...(templateId
      ? {
          async sendNotification(openId: string, n: Notification) {
            const date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
            try {
              const id = await api.sendTemplate(
                openId,
                templateId,
                {
                  first: { value: n.title },
                  keyword1: { value: n.title },
                  keyword2: { value: date },
                  remark: { value: n.summary },
                },
                n.url,
              );
              return { messageIds: [id] };
            } catch (err) {
              throw wechatSendError(err);
            }
          },
        }
      : {}),
  };
}

/** A WeChat API failure as one of the sender contract's kinds. */
export function wechatSendError(err: unknown, sent = 0): SendError {
  if (err instanceof SendError) return err;
  if (err instanceof WechatApiError) {
    if (WINDOW.has(err.errcode)) return new SendError('windowClosed', err.message, undefined, sent);
    if (BLOCKED.has(err.errcode)) return new SendError('blocked', err.message, undefined, sent);
    if (LIMITED.has(err.errcode)) return new SendError('rateLimited', err.message, 60_000, sent);
    // -1 "system busy", HTTP failures and the network: try again later.
    if (err.errcode === -1 || err.errcode === -2)
      return new SendError('transient', err.message, undefined, sent);
    return new SendError('rejected', err.message, undefined, sent);
  }
  return new SendError(
    'transient',
    err instanceof Error ? err.message : String(err),
    undefined,
    sent,
  );
}
