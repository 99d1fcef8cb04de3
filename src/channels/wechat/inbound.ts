import type { InboundInput, MediaKind } from '../../messaging/inbound.js';
import type { WechatXml } from './xml.js';

/**
 * The "answer once" key of a callback: WeChat retries one up to three times. A message has its
 * MsgId; an event has none, so it is the person and the second it was sent (and the event).
 */
export function callbackKey(xml: WechatXml): string | null {
  if (xml.MsgId) return `msg:${xml.MsgId}`;
  if (xml.FromUserName && xml.CreateTime)
    return `ev:${xml.FromUserName}:${xml.CreateTime}:${xml.Event ?? ''}:${xml.EventKey ?? ''}`;
  return null;
}

/** What an event means to the conversation; null for one that needs no answer. */
export function eventInput(xml: WechatXml): InboundInput | null {
  switch ((xml.Event ?? '').toLowerCase()) {
    case 'subscribe': // followed (also after scanning a code): the bilingual welcome
      return { kind: 'command', name: 'start', args: '' };
    case 'click': // a custom menu item: its key is a flow choice, e.g. main:menu#jobs
      return xml.EventKey ? { kind: 'choice', id: xml.EventKey } : null;
    default: // unsubscribe, VIEW, LOCATION, SCAN of a follower, template delivery reports
      return null;
  }
}

const MEDIA: Record<string, MediaKind> = {
  voice: 'voice',
  image: 'photo',
  video: 'video',
  shortvideo: 'video',
  location: 'location',
  link: 'other',
  file: 'file',
};

/**
 * A WeChat message as the conversation reads it: text; a voice note as WeChat's own
 * recognition when it has one, else the voice note itself (its MediaId kept for a counsellor).
 */
export function messageInput(xml: WechatXml): InboundInput {
  const type = xml.MsgType ?? '';
  if (type === 'text') return { kind: 'text', text: xml.Content ?? '' };
  if (type === 'voice' && xml.Recognition?.trim())
    return { kind: 'text', text: xml.Recognition.trim() };
  const media = MEDIA[type] ?? 'other';
  return xml.MediaId
    ? { kind: 'media', media, ref: { channel: 'wechat', id: xml.MediaId } }
    : { kind: 'media', media };
}
