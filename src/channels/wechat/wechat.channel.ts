import type { Logger } from 'pino';
import { WechatyBuilder, type Wechaty } from 'wechaty';
import type { Message } from 'wechaty';
import type * as PUPPET from 'wechaty-puppet';
import type { InboundEvent, InboundHandler, InboundInput } from '../../messaging/inbound.js';
import type { OutgoingMessage } from '../../messaging/content.js';
import { SendError, type Sender } from '../../messaging/send.js';
import type { Channel } from '../channel.js';
import { eventInput, messageInput } from './inbound.js';
import { PuppetOfficialAccount } from './puppet.js';
import { renderWechat } from './render.js';
import type { WechatSender } from './sender.js';
import type { ServiceWindow } from './window.js';
import { CallbackDroppedError } from './webhook.routes.js';
import type { WechatXml } from './xml.js';

export interface WechatChannel extends Channel {
  readonly id: 'wechat';
  readonly wechaty: Wechaty;
  readonly sender?: WechatSender | Sender | undefined;
  /**
   * One callback of our Official Account, checked and decrypted: runs its turn and returns the
   * rendered reply texts (not sent: the route replies passively or pushes them).
   */
  receive(xml: WechatXml): Promise<string[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface WechatChannelDeps {
  handleInbound: InboundHandler;
  log: Logger;
  /** Records that a person unfollowed (unreachable on WeChat) or followed again. */
  reachable?: (openId: string, reachable: boolean) => Promise<void>;
  /** Our Official Account (WECHAT_APPID set): its puppet, its sender and window. */
  account?: {
    appId: string;
    sender: WechatSender;
    window: ServiceWindow;
    userInfo?: (openId: string) => Promise<Record<string, unknown>>;
  };
  /** Another wechaty puppet (WECHATY_PUPPET, e.g. wechaty-puppet-mock in tests). */
  puppet?: PUPPET.impls.PuppetInterface | string;
  /** How long a callback's message may take to reach the `message` handler (tests shorten it). */
  deliveryWithinMs?: number;
}

/** wechaty delivers a callback's message in milliseconds; after this it is not coming. */
const DELIVERY_WITHIN_MS = 10_000;

/**
 * WeChat through wechaty. With our Official Account puppet, a callback's message goes through
 * wechaty (puppet → `message` event → here) and its replies come back to the route; with any
 * other puppet, replies are said through wechaty (`talker.say`).
 */
export function createWechatChannel(deps: WechatChannelDeps): WechatChannel {
  const log = deps.log.child({ channel: 'wechat' });
  const account = deps.account;
  const official = account
    ? new PuppetOfficialAccount({
        appId: account.appId,
        sender: account.sender,
        ...(account.userInfo ? { userInfo: account.userInfo } : {}),
      })
    : undefined;
  const puppet = official ?? deps.puppet;
  if (!puppet) throw new Error('wechat: no puppet (set WECHAT_APPID or WECHATY_PUPPET)');
  // Always with its puppet named: wechaty would otherwise pick one from the environment.
  const wechaty = WechatyBuilder.build({
    puppet: puppet as PUPPET.impls.PuppetInterface,
  });
  /** Callbacks waiting for their turn's replies, by message id (`started`: wechaty delivered it). */
  const waiting = new Map<
    string,
    { resolve(t: string[]): void; reject(e: unknown): void; started: boolean }
  >();

  const turn = async (chatId: string, messageId: string, input: InboundInput) => {
    const event: InboundEvent = {
      channel: 'wechat',
      chatId,
      messageId,
      input,
      receivedAt: new Date(),
    };
    return renderWechat(await deps.handleInbound(event));
  };

  wechaty.on('message', (message: Message) => {
    onMessage(message).catch((err: unknown) => {
      waiting.get(message.id)?.reject(err);
      log.error({ err, messageId: message.id }, 'wechat message failed');
    });
  });
  wechaty.on('error', (err) => log.error({ err }, 'wechaty error'));

  async function onMessage(message: Message): Promise<void> {
    const callback = waiting.get(message.id);
    if (callback) callback.started = true;
    // Only one-to-one messages from people; a callback waiting for one of the others gets no
    // answer at once (it waited for ever, its claim renewed without end).
    if (message.self() || message.room()) {
      waiting.get(message.id)?.resolve([]);
      return;
    }
    const talker = message.talker();
    const raw = official?.raw(message.id);
    const input = raw ? messageInput(raw) : inputOf(message);
    const texts = await turn(talker.id, message.id, input);
    if (callback) callback.resolve(texts);
    else for (const text of texts) await talker.say(text);
  }

  return {
    id: 'wechat',
    wechaty,
    sender: account?.sender ?? puppetSender(wechaty),
    async receive(xml) {
      const openId = xml.FromUserName ?? '';
      if (xml.MsgType === 'event') {
        const event = (xml.Event ?? '').toLowerCase();
        if (event === 'unsubscribe') {
          await account?.window.close(openId);
          await deps.reachable?.(openId, false);
          log.info('a person unfollowed: unreachable on WeChat');
          return [];
        }
        if (event === 'subscribe') await deps.reachable?.(openId, true);
        const input = eventInput(xml);
        if (!input) return [];
        await account?.window.opened(openId);
        return turn(openId, `ev:${xml.CreateTime ?? ''}`, input);
      }
      if (!official || !xml.MsgId) return [];
      await account?.window.opened(openId);
      const id = xml.MsgId;
      // wechaty reports a message it cannot load as an `error` event, not to us: without a
      // limit the callback waited for ever (its claim renewed, the person never answered).
      let timer: NodeJS.Timeout | undefined;
      return new Promise<string[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject, started: false });
        timer = setTimeout(() => {
          if (waiting.get(id)?.started === false)
            reject(new CallbackDroppedError('wechaty did not deliver the message'));
        }, deps.deliveryWithinMs ?? DELIVERY_WITHIN_MS);
        official.ingest(id, xml);
      }).finally(() => {
        clearTimeout(timer);
        waiting.delete(id);
      });
    },
    async start() {
      await wechaty.start();
      log.info({ puppet: official ? 'official-account' : String(deps.puppet) }, 'wechat started');
    },
    async stop() {
      await wechaty.stop();
    },
  };
}

/** A message of another puppet (no callback fields): text, or media by its wechaty type. */
function inputOf(message: Message): InboundInput {
  const types = message.wechaty.Message.Type;
  switch (message.type()) {
    case types.Text:
      return { kind: 'text', text: message.text() };
    case types.Audio:
      return { kind: 'media', media: 'voice' };
    case types.Image:
      return { kind: 'media', media: 'photo' };
    case types.Video:
      return { kind: 'media', media: 'video' };
    case types.Attachment:
      return { kind: 'media', media: 'file' };
    case types.Location:
      return { kind: 'media', media: 'location' };
    default:
      return { kind: 'media', media: 'other' };
  }
}

/**
 * Another puppet's way to reach a person outside a turn (a counsellor's reply): said through
 * this process's wechaty, so only the process running the puppet can send (`npm start`'s
 * all-in-one process; a separate worker has no wechaty and cannot).
 */
function puppetSender(wechaty: Wechaty): Sender {
  return {
    channel: 'wechat',
    async send(address: string, messages: OutgoingMessage[]) {
      let contact;
      try {
        contact = wechaty.isLoggedIn ? await wechaty.Contact.find({ id: address }) : undefined;
      } catch (err) {
        throw new SendError('transient', err instanceof Error ? err.message : String(err));
      }
      if (!wechaty.isLoggedIn) throw new SendError('transient', 'wechaty is not logged in');
      if (!contact) throw new SendError('blocked', 'no such contact');
      const messageIds: string[] = [];
      for (const text of renderWechat(messages)) {
        try {
          await contact.say(text);
        } catch (err) {
          throw new SendError(
            'transient',
            err instanceof Error ? err.message : String(err),
            undefined,
            messageIds.length,
          );
        }
        messageIds.push(String(messageIds.length));
      }
      return { messageIds };
    },
  };
}
