import { describe, expect, it } from 'vitest';
import type { Update } from 'telegraf/types';
import { toInboundEvent } from './inbound.js';
import { renderTelegram } from './render.js';

const chat = { id: 42, type: 'private' as const, first_name: 'D' };
const from = { id: 42, is_bot: false, first_name: 'D', language_code: 'bo' };

describe('telegram inbound', () => {
  it('maps text, commands (with @botname and args), callbacks and media', () => {
    const text = {
      update_id: 1,
      message: { message_id: 1, date: 0, chat, from, text: 'ཁྱེད་རང་' },
    } as Update;
    expect(toInboundEvent(text)?.input).toEqual({ kind: 'text', text: 'ཁྱེད་རང་' });
    expect(toInboundEvent(text)?.languageHint).toBe('bo');
    const cmd = {
      update_id: 2,
      message: {
        message_id: 2,
        date: 0,
        chat,
        from,
        text: '/subscribe@lamton_bot 保安 司机',
        entities: [{ type: 'bot_command', offset: 0, length: 21 }],
      },
    } as Update;
    expect(toInboundEvent(cmd)?.input).toEqual({
      kind: 'command',
      name: 'subscribe',
      args: '保安 司机',
    });
    const cb = {
      update_id: 3,
      callback_query: {
        id: 'q',
        from,
        chat_instance: 'c',
        data: 'main:menu#career',
        message: { message_id: 9, date: 0, chat, text: 'x' },
      },
    } as Update;
    expect(toInboundEvent(cb)).toMatchObject({
      chatId: '42',
      messageId: '3',
      input: { kind: 'choice', id: 'main:menu#career' },
    });
    const voice = {
      update_id: 4,
      message: {
        message_id: 4,
        date: 0,
        chat,
        from,
        voice: { file_id: 'f', file_unique_id: 'u', duration: 3 },
      },
    } as Update;
    // The voice note's file stays reachable (for a counsellor later), with its length.
    expect(toInboundEvent(voice)?.input).toEqual({
      kind: 'media',
      media: 'voice',
      ref: { channel: 'telegram', id: 'f', durationS: 3 },
    });
  });
  it('ignores group chats and edits', () => {
    const group = {
      update_id: 5,
      message: { message_id: 5, date: 0, chat: { id: -1, type: 'group', title: 'g' }, text: 'hi' },
    } as Update;
    expect(toInboundEvent(group)).toBeNull();
    const edit = {
      update_id: 6,
      edited_message: { message_id: 5, date: 0, edit_date: 1, chat, text: 'x' },
    } as Update;
    expect(toInboundEvent(edit)).toBeNull();
    // A button pressed on a message in a supergroup (it made a person of the group and asked
    // there whether to delete "my data").
    const press = {
      update_id: 7,
      callback_query: {
        id: 'q',
        from: { id: 9, is_bot: false, first_name: 'a' },
        chat_instance: 'c',
        data: 'privacy:mydata#delete',
        message: { message_id: 3, date: 0, chat: { id: -100, type: 'supergroup', title: 'g' } },
      },
    } as unknown as Update;
    expect(toInboundEvent(press)).toBeNull();
  });
});

describe('telegram render', () => {
  it('renders choices as an inline keyboard, one button a row', () => {
    const [m] = renderTelegram({
      text: 'hi',
      lang: 'zh-CN',
      choices: [
        { id: 'a:b#c', label: 'C' },
        { id: 'a:b#d', label: 'D' },
      ],
    });
    expect(m?.reply_markup?.inline_keyboard).toEqual([
      [{ text: 'C', callback_data: 'a:b#c' }],
      [{ text: 'D', callback_data: 'a:b#d' }],
    ]);
  });
  it('splits long Tibetan at a tsheg and puts the buttons on the last part', () => {
    const text = 'བསྒྲུབས་'.repeat(1000);
    const parts = renderTelegram({ text, lang: 'bo', choices: [{ id: 'x:y#z', label: 'Z' }] });
    expect(parts.length).toBe(2);
    expect(parts[0]?.reply_markup).toBeUndefined();
    expect(parts[1]?.reply_markup).toBeDefined();
    expect(parts.every((p) => p.text.length <= 4096 && p.text.endsWith('་'))).toBe(true);
  });
});
