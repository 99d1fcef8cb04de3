import type { Update } from 'telegraf/types';
import type { InboundEvent, InboundInput, MediaKind } from '../channel.js';

/** Maps a Telegram update to a normalised inbound event; null for updates we ignore. */
export function toInboundEvent(update: Update, receivedAt = new Date()): InboundEvent | null {
  if ('callback_query' in update) {
    const q = update.callback_query;
    const chatId = q.message?.chat.id ?? q.from.id;
    if (!('data' in q) || typeof q.data !== 'string') return null;
    return event(
      update.update_id,
      chatId,
      { kind: 'choice', id: q.data },
      receivedAt,
      q.from.language_code,
    );
  }
  if (!('message' in update)) return null;
  const m = update.message;
  if (m.chat.type !== 'private') return null;
  const hint = m.from?.language_code;
  if ('text' in m) {
    const cmd = m.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
    if (cmd) {
      const name = m.text.slice(1, cmd.length).split('@')[0]?.toLowerCase() ?? '';
      return event(
        update.update_id,
        m.chat.id,
        { kind: 'command', name, args: m.text.slice(cmd.length).trim() },
        receivedAt,
        hint,
      );
    }
    return event(update.update_id, m.chat.id, { kind: 'text', text: m.text }, receivedAt, hint);
  }
  return event(
    update.update_id,
    m.chat.id,
    { kind: 'media', media: mediaKind(m) },
    receivedAt,
    hint,
  );
}

function mediaKind(m: object): MediaKind {
  if ('voice' in m) return 'voice';
  if ('audio' in m) return 'audio';
  if ('sticker' in m) return 'sticker';
  if ('photo' in m) return 'photo';
  if ('video' in m || 'video_note' in m || 'animation' in m) return 'video';
  if ('document' in m) return 'file';
  if ('location' in m || 'venue' in m) return 'location';
  return 'other';
}

function event(
  updateId: number,
  chatId: number,
  input: InboundInput,
  receivedAt: Date,
  hint?: string,
): InboundEvent {
  return {
    channel: 'telegram',
    chatId: String(chatId),
    messageId: String(updateId),
    input,
    receivedAt,
    ...(hint ? { languageHint: hint } : {}),
  };
}
