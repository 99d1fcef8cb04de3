import type { Chat, Message, Update, User } from 'telegraf/types';

/**
 * Update builders. update_id and message_id come from module-wide counters so they are
 * strictly increasing for the whole test process (the fake server also draws bot-sent
 * message ids from the same counter, so user and bot message ids never collide).
 */

let nextUpdateId = 100_000;
let nextMessageId = 1;

export function allocUpdateId(): number {
  return nextUpdateId++;
}

export function allocMessageId(): number {
  return nextMessageId++;
}

const now = (): number => Math.floor(Date.now() / 1000);

export interface UserOptions {
  languageCode?: string;
  firstName?: string;
}

export function userFor(chatId: number, opts: UserOptions = {}): User {
  const user: User = {
    id: Math.abs(chatId),
    is_bot: false,
    first_name: opts.firstName ?? 'Test',
    username: `user${Math.abs(chatId)}`,
  };
  if (opts.languageCode !== undefined) user.language_code = opts.languageCode;
  return user;
}

/** Positive ids are private chats (with the user of the same id); negative ids are supergroups. */
export function chatFor(chatId: number, firstName = 'Test'): Chat {
  if (chatId < 0) return { id: chatId, type: 'supergroup', title: `Group ${chatId}` };
  return { id: chatId, type: 'private', first_name: firstName, username: `user${chatId}` };
}

function baseMessage(chatId: number, opts: UserOptions = {}) {
  return {
    message_id: allocMessageId(),
    date: now(),
    chat: chatFor(chatId, opts.firstName),
    from: userFor(chatId, opts),
  };
}

export function textUpdate(chatId: number, text: string, opts: UserOptions = {}): Update {
  const message = { ...baseMessage(chatId, opts), text } satisfies Message.TextMessage;
  return { update_id: allocUpdateId(), message } as Update;
}

/** `/command args` with a bot_command entity covering `/command`. `command` may include the slash. */
export function commandUpdate(
  chatId: number,
  command: string,
  args?: string,
  opts: UserOptions = {},
): Update {
  const cmd = command.startsWith('/') ? command : `/${command}`;
  const text = args !== undefined && args !== '' ? `${cmd} ${args}` : cmd;
  const message = {
    ...baseMessage(chatId, opts),
    text,
    entities: [{ type: 'bot_command', offset: 0, length: cmd.length }],
  } satisfies Message.TextMessage;
  return { update_id: allocUpdateId(), message } as Update;
}

/**
 * A callback query from a button on message `messageId` (a bot message in `chatId`).
 * When messageId is omitted a fresh id is used. `callback_query.id` is unique.
 */
export function callbackUpdate(
  chatId: number,
  data: string,
  messageId?: number,
  opts: UserOptions = {},
): Update {
  const updateId = allocUpdateId();
  const callback_query = {
    id: `cbq-${updateId}`,
    from: userFor(chatId, opts),
    chat_instance: `ci-${chatId}`,
    data,
    message: {
      message_id: messageId ?? allocMessageId(),
      date: now(),
      chat: chatFor(chatId, opts.firstName),
      from: BOT_PLACEHOLDER,
      text: '…',
    },
  };
  return { update_id: updateId, callback_query };
}

const BOT_PLACEHOLDER: User = {
  id: 123456789,
  is_bot: true,
  first_name: 'Lamton Test Bot',
  username: 'lamton_test_bot',
};

export type MediaKind = 'voice' | 'sticker' | 'photo' | 'document' | 'video' | 'audio' | 'location';

export function mediaUpdate(chatId: number, kind: MediaKind, opts: UserOptions = {}): Update {
  const base = baseMessage(chatId, opts);
  const fid = (p: string): { file_id: string; file_unique_id: string } => ({
    file_id: `${p}-file-${base.message_id}`,
    file_unique_id: `${p}-uniq-${base.message_id}`,
  });
  let payload: Record<string, unknown>;
  switch (kind) {
    case 'voice':
      payload = {
        voice: { ...fid('voice'), duration: 3, mime_type: 'audio/ogg', file_size: 4096 },
      };
      break;
    case 'sticker':
      payload = {
        sticker: {
          ...fid('sticker'),
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
          emoji: '👍',
          set_name: 'TestStickers',
          file_size: 8192,
        },
      };
      break;
    case 'photo':
      payload = {
        photo: [
          { ...fid('photo-s'), width: 90, height: 90, file_size: 1500 },
          { ...fid('photo-m'), width: 320, height: 320, file_size: 15000 },
          { ...fid('photo-l'), width: 800, height: 800, file_size: 80000 },
        ],
      };
      break;
    case 'document':
      payload = {
        document: {
          ...fid('document'),
          file_name: 'resume.pdf',
          mime_type: 'application/pdf',
          file_size: 20480,
        },
      };
      break;
    case 'video':
      payload = {
        video: {
          ...fid('video'),
          width: 640,
          height: 360,
          duration: 5,
          mime_type: 'video/mp4',
          file_size: 102400,
        },
      };
      break;
    case 'audio':
      payload = {
        audio: {
          ...fid('audio'),
          duration: 30,
          performer: 'Test',
          title: 'Song',
          mime_type: 'audio/mpeg',
          file_size: 51200,
        },
      };
      break;
    case 'location':
      // Lhasa
      payload = { location: { latitude: 29.652, longitude: 91.1721 } };
      break;
  }
  return { update_id: allocUpdateId(), message: { ...base, ...payload } } as Update;
}
