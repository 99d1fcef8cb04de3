import type { OutgoingMessage } from './content.js';

/** The channels a person can write on. */
export type ChannelId = 'telegram' | 'wechat' | 'web';

export type MediaKind =
  'voice' | 'audio' | 'sticker' | 'photo' | 'video' | 'file' | 'location' | 'other';

/**
 * A channel-native reference to what the person sent (Telegram `file_id`, WeChat `MediaId`),
 * kept so a voice note can later travel to a counsellor; never a copy of the media itself.
 */
export interface MediaRef {
  channel: ChannelId;
  id: string;
  /** Voice and audio: seconds, when the channel says. */
  durationS?: number;
}

export type InboundInput =
  | {
      kind: 'text';
      text: string;
      /**
       * What was left out of a text past the channel's cap (its middle, bounded): read only for
       * distress, so a risk sentence inside a long story is not lost with the rest.
       */
      beyond?: string;
      /** The text was too long and is read in part (its beginning and its end). */
      cut?: boolean;
    }
  | { kind: 'choice'; id: string }
  | { kind: 'command'; name: string; args: string }
  | { kind: 'media'; media: MediaKind; ref?: MediaRef };

/** A normalised inbound event: what any channel turns its native update into. */
export interface InboundEvent {
  channel: ChannelId;
  /** Channel-native conversation id (Telegram chat id, web session id, WeChat OpenID). */
  chatId: string;
  /** Channel-native message id; used for logs and de-duplication, never shown. */
  messageId: string;
  input: InboundInput;
  receivedAt: Date;
  /** A hint from the channel (Telegram `language_code`), used only before a choice is made. */
  languageHint?: string;
}

/** Handles one inbound event and returns what to say; the channel renders and sends it. */
export type InboundHandler = (event: InboundEvent) => Promise<OutgoingMessage[]>;
