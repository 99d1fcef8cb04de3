import type { InboundEvent, InboundInput } from '../../src/messaging/inbound.js';

/** Letters of each script, for asserting which language a reply is in. */
export const TIBETAN = /[\u0F40-\u0FBC]/u;
export const HAN = /\p{Script=Han}/u;

let seq = 0;

/** A web-chat inbound event with a fresh message id. */
export const ev = (chatId: string, input: InboundInput): InboundEvent => ({
  channel: 'web',
  chatId,
  messageId: String(++seq),
  input,
  receivedAt: new Date(),
});
