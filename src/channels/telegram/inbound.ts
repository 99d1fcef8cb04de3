import type { Update } from 'telegraf/types';
import { z } from 'zod';
import type { InboundEvent, InboundInput, MediaKind, MediaRef } from '../../messaging/inbound.js';

const chatId = z.number().int();
const user = z.looseObject({ id: z.number().int(), language_code: z.string().optional() });
/**
 * The fields of an update this channel reads, checked before anything reads them: a webhook
 * call with the right secret but a callback without `from`, a message without `chat`, non-array
 * `entities` or a non-string `text` is ignored (and counted), not answered with a 500 that
 * Telegram would retry for ever. Fields we never read may be anything.
 */
const updateSchema = z.looseObject({
  update_id: z.number().int(),
  callback_query: z
    .looseObject({
      id: z.string(),
      from: user,
      data: z.string().optional(),
      message: z.looseObject({ chat: z.looseObject({ id: chatId }) }).optional(),
    })
    .optional(),
  message: z
    .looseObject({
      chat: z.looseObject({ id: chatId, type: z.string() }),
      from: user.optional(),
      text: z.string().optional(),
      entities: z
        .array(
          z.looseObject({ type: z.string(), offset: z.number().int(), length: z.number().int() }),
        )
        .optional(),
    })
    .optional(),
});

/** The update when every field this channel reads has the type Telegram documents; else null. */
export function checkUpdate(raw: unknown): Update | null {
  // Only the fields read are checked; the rest of Telegram's Update passes as it came.
  return updateSchema.safeParse(raw).success ? (raw as Update) : null;
}

/** Maps a Telegram update to a normalised inbound event; null for updates we ignore. */
export function toInboundEvent(update: Update, receivedAt = new Date()): InboundEvent | null {
  if ('callback_query' in update) {
    const q = update.callback_query;
    // Buttons pressed in a group are not a person's own conversation (as group messages are not).
    if (q.message && q.message.chat.type !== 'private') return null;
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
  return event(update.update_id, m.chat.id, mediaInput(m), receivedAt, hint);
}

/** A media message: its kind and, where Telegram gives one, the file to fetch later. */
function mediaInput(m: object): InboundInput {
  const media = mediaKind(m);
  const file = fileOf(m);
  return file ? { kind: 'media', media, ref: file } : { kind: 'media', media };
}

function fileOf(m: object): MediaRef | undefined {
  const one = (v: unknown): { file_id?: unknown; duration?: unknown } | undefined =>
    Array.isArray(v)
      ? (v.at(-1) as object | undefined)
      : typeof v === 'object' && v
        ? v
        : undefined;
  const rec = m as Record<string, unknown>;
  const key = [
    'voice',
    'audio',
    'video_note',
    'video',
    'document',
    'photo',
    'animation',
    'sticker',
  ].find((k) => k in rec);
  const file = key ? one(rec[key]) : undefined;
  if (!file || typeof file.file_id !== 'string') return undefined;
  return {
    channel: 'telegram',
    id: file.file_id,
    ...(typeof file.duration === 'number' ? { durationS: file.duration } : {}),
  };
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
