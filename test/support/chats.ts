import { expect } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import {
  callbackUpdate,
  commandUpdate,
  textUpdate,
  type BotApiServer,
  type SentMessage,
} from './bot-api/index.js';

/**
 * People on WeChat through a wechaty mock puppet: one official account (logged in once), as
 * many people as a test needs. `say` waits for the first answer (and a little more: a reply may
 * come in several messages); `heard` keeps everything said to the person, pushed alerts too.
 */
export function wechatPeople(mocker: mock.Mocker) {
  let account: mock.ContactMock | undefined;
  return () => {
    if (!account) {
      account = mocker.createContact();
      mocker.login(account);
    }
    const me = account;
    const person = mocker.createContact();
    const heard: string[] = [];
    (person as unknown as NodeJS.EventEmitter).on('message', (m: mock.MessageMock) => {
      if (m.payload.talkerId === me.id) heard.push(m.text() ?? '');
    });
    return {
      id: person.id,
      heard,
      async say(text: string): Promise<string> {
        const before = heard.length;
        person.say(text).to(me);
        await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(before);
        await new Promise((r) => setTimeout(r, 250));
        return heard.slice(before).join('\n');
      },
    };
  };
}

/** A Telegram chat on the Bot API server: a command, a text or a button press, and the answer. */
export function telegramChat(bot: BotApiServer, chat: number) {
  const turn = async (push: () => void): Promise<SentMessage[]> => {
    const before = bot.sent(chat).length;
    push();
    await bot.waitForSent((m) => m.chatId === chat && bot.sent(chat).indexOf(m) >= before);
    await new Promise((r) => setTimeout(r, 250));
    return bot.sent(chat).slice(before);
  };
  return {
    command: (name: string, args?: string) =>
      turn(() => bot.pushUpdate(commandUpdate(chat, name, args))),
    say: (text: string) => turn(() => bot.pushUpdate(textUpdate(chat, text))),
    press: (data: string, messageId: number) =>
      turn(() => bot.pushUpdate(callbackUpdate(chat, data, messageId))),
  };
}

/** The texts of Telegram messages, one per line. */
export const sentText = (ms: SentMessage[]) => ms.map((m) => m.text).join('\n');

/** A Telegram message's inline-keyboard buttons. */
export const inlineButtons = (m: SentMessage | undefined) =>
  (
    m?.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined
  )?.inline_keyboard?.flat() ?? [];
