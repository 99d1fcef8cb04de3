import * as PUPPET from 'wechaty-puppet';
import type { WechatSender } from './sender.js';
import type { WechatXml } from './xml.js';

/** How many received messages the puppet keeps for wechaty to read (oldest go first). */
const KEEP = 2_000;

export interface PuppetOfficialAccountOptions {
  appId: string;
  /** Sends what wechaty says (`contact.say`) as customer-service messages. */
  sender: WechatSender;
  /** `/cgi-bin/user/info` of a follower (no name or photo any more: follow state, remark). */
  userInfo?: (openId: string) => Promise<Record<string, unknown>>;
}

/** A contact's payload must not hold a message up for long (WeChat's 5 s): then the OpenID only. */
const USER_INFO_WITHIN_MS = 1_000;

type RawContact = { id: string; subscribed?: boolean; remark?: string };

/**
 * A wechaty puppet for a WeChat Official Account (服务号), ours: no express server, no tunnel,
 * no hard-coded API host. WeChat calls our Fastify route (`/webhooks/wechat`), which checks and
 * decrypts the callback and hands the message to `ingest`; wechaty then reads it through the
 * payload methods below and emits it as a `message`. What wechaty says goes out through the
 * channel's sender (customer-service messages, inside WeChat's 48-hour window).
 */
export class PuppetOfficialAccount extends PUPPET.Puppet {
  private readonly received = new Map<string, WechatXml & { id: string }>();

  constructor(private readonly account: PuppetOfficialAccountOptions) {
    super();
  }

  override name(): string {
    return 'lamton-puppet-official-account';
  }

  override async onStart(): Promise<void> {
    // The account is always "logged in": WeChat reaches us through the callback URL.
    this.login(this.account.appId);
  }

  override async onStop(): Promise<void> {
    this.received.clear();
  }

  /** A message from the callback: kept for wechaty, announced as a `message` event. */
  ingest(id: string, xml: WechatXml): void {
    this.received.set(id, { ...xml, id });
    if (this.received.size > KEEP) {
      const oldest = this.received.keys().next().value;
      if (oldest !== undefined) this.received.delete(oldest);
    }
    this.emit('message', { messageId: id });
  }

  /** The callback fields of a received message (MediaId of a voice note, Recognition). */
  raw(id: string): WechatXml | undefined {
    return this.received.get(id);
  }

  override async messageRawPayload(id: string): Promise<WechatXml & { id: string }> {
    const raw = this.received.get(id);
    if (!raw) throw new Error(`message ${id} is not kept any more`);
    return raw;
  }

  override async messageRawPayloadParser(
    raw: WechatXml & { id: string },
  ): Promise<PUPPET.payloads.Message> {
    const type = MESSAGE_TYPES[raw.MsgType ?? ''] ?? PUPPET.types.Message.Unknown;
    return {
      id: raw.id,
      talkerId: raw.FromUserName ?? '',
      listenerId: raw.ToUserName ?? '',
      text: raw.MsgType === 'voice' ? (raw.Recognition ?? '') : (raw.Content ?? ''),
      timestamp: Number(raw.CreateTime ?? 0) * 1000,
      type,
    };
  }

  /** From the user info API when it answers in time (wechaty caches it), else the OpenID only. */
  override async contactRawPayload(id: string): Promise<RawContact> {
    const lookup = this.account.userInfo;
    if (!lookup || id === this.account.appId) return { id };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), USER_INFO_WITHIN_MS)));
    const info = await Promise.race([lookup(id).catch(() => null), late]);
    clearTimeout(timer);
    if (!info) return { id };
    return {
      id,
      subscribed: info.subscribe === 1,
      ...(typeof info.remark === 'string' && info.remark ? { remark: info.remark } : {}),
    };
  }

  override async contactRawPayloadParser(raw: RawContact): Promise<PUPPET.payloads.Contact> {
    const self = raw.id === this.account.appId;
    return {
      id: raw.id,
      // WeChat gives an account no person's name or photo any more: the OpenID is all we know.
      name: self ? 'Lamton' : '',
      ...(raw.remark ? { alias: raw.remark } : {}),
      avatar: '',
      gender: PUPPET.types.ContactGender.Unknown,
      type: self ? PUPPET.types.Contact.Official : PUPPET.types.Contact.Individual,
      phone: [],
      friend: !self && raw.subscribed !== false,
    };
  }

  override async messageSendText(conversationId: string, text: string): Promise<void> {
    await this.account.sender.sendTexts(conversationId, [text]);
  }
}

const MESSAGE_TYPES: Record<string, PUPPET.types.Message> = {
  text: PUPPET.types.Message.Text,
  voice: PUPPET.types.Message.Audio,
  image: PUPPET.types.Message.Image,
  video: PUPPET.types.Message.Video,
  shortvideo: PUPPET.types.Message.Video,
  location: PUPPET.types.Message.Location,
  link: PUPPET.types.Message.Url,
  file: PUPPET.types.Message.Attachment,
};
