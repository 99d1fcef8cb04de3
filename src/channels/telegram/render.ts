import type { InlineKeyboardMarkup } from 'telegraf/types';
import { splitText } from '../../lib/split-text.js';
import type { OutgoingMessage } from '../../messaging/content.js';

export interface TelegramSend {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

/** Telegram's limit for a message text. */
export const TELEGRAM_TEXT_MAX = 4096;
/** Telegram's limit for callback data, in bytes. */
const CALLBACK_MAX_BYTES = 64;

/**
 * Pure: one outgoing message → the sendMessage payloads (long text split, buttons on the last;
 * a notice — who sends an outreach message and how to stop it — after the text).
 */
export function renderTelegram(message: OutgoingMessage): TelegramSend[] {
  const body = message.text.length > 0 ? message.text : '…';
  const parts = splitText(
    message.notice ? `${body}\n\n${message.notice}` : body,
    TELEGRAM_TEXT_MAX,
  );
  const buttons = (message.choices ?? [])
    .filter((c) => Buffer.byteLength(c.id) <= CALLBACK_MAX_BYTES)
    .map((c) => [{ text: c.label, callback_data: c.id }]);
  return parts.map((text, i) =>
    i === parts.length - 1 && buttons.length > 0
      ? { text, reply_markup: { inline_keyboard: buttons } }
      : { text },
  );
}
