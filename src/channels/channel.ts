/**
 * The one small interface every channel (web, Telegram, WeChat) implements, and the
 * channel-neutral content that flows between channels and the conversation layer.
 */
export type ChannelId = 'telegram' | 'wechat' | 'web';
export type Lang = 'zh-CN' | 'bo';
export const LANGS: readonly Lang[] = ['zh-CN', 'bo'];

/** A button the person can press; `id` comes back as a `choice` input (<= 60 bytes). */
export interface Choice {
  id: string;
  label: string;
}

/** What the assistant says, before a channel renders it. */
export interface OutgoingMessage {
  text: string;
  choices?: Choice[];
  lang: Lang;
}

export type MediaKind =
  'voice' | 'audio' | 'sticker' | 'photo' | 'video' | 'file' | 'location' | 'other';

export type InboundInput =
  | { kind: 'text'; text: string }
  | { kind: 'choice'; id: string }
  | { kind: 'command'; name: string; args: string }
  | { kind: 'media'; media: MediaKind };

/** A normalised inbound event: what any channel turns its native update into. */
export interface InboundEvent {
  channel: ChannelId;
  /** Channel-native conversation id (Telegram chat id, web session id, WeChat contact id). */
  chatId: string;
  /** Channel-native message id; used for logs and de-duplication, never shown. */
  messageId: string;
  input: InboundInput;
  receivedAt: Date;
  /** A hint from the channel (Telegram `language_code`), used only before a choice is made. */
  languageHint?: string;
}

/** Handles one inbound event and returns what to say; the adapter renders and sends it. */
export type InboundHandler = (event: InboundEvent) => Promise<OutgoingMessage[]>;

/** A running channel. `start` wires it (webhook, polling, routes), `stop` drains it. */
export interface ChannelAdapter {
  readonly id: ChannelId;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Push messages to a chat outside a request (outreach, counsellor replies). */
  send(chatId: string, messages: OutgoingMessage[]): Promise<void>;
}
