import type { Translator } from '../i18n.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import { LANGS, type Lang } from '../messaging/lang.js';
import type { Notification, Sender } from '../messaging/send.js';

/** What outreach needs of a campaign to write one person's copy. */
export interface CampaignContent {
  id: string;
  title: string;
  message: Record<Lang, string>;
}

/**
 * One person's copy: the announcement in their language with the channel's notice under it
 * (who sends it and how to stop, in that language); both languages when theirs is not known.
 */
export function outreachMessages(
  t: Translator['t'],
  campaign: CampaignContent,
  lang: Lang | null,
  channel: ChannelId,
  opts: { test?: boolean } = {},
): OutgoingMessage[] {
  return (lang ? [lang] : LANGS).map((l) => ({
    text: `${opts.test ? t(l, 'outreach:test') : ''}${campaign.message[l]}`,
    lang: l,
    notice: t(l, `outreach:notice.${channel}`),
  }));
}

/** The fixed-field notification (WeChat template) that stands in when free text may not go. */
export function outreachNotification(
  t: Translator['t'],
  campaign: CampaignContent,
  lang: Lang | null,
  publicUrl: string | undefined,
): Notification {
  const l = lang ?? 'zh-CN';
  return {
    lang: l,
    title: campaign.title,
    summary: t(l, 'outreach:template.summary'),
    ...(publicUrl ? { url: announcementUrl(publicUrl, campaign.id, l) } : {}),
  };
}

export function announcementUrl(publicUrl: string, campaignId: string, lang: Lang): string {
  return `${publicUrl.replace(/\/+$/, '')}/announcements/${campaignId}?lang=${lang}`;
}

/**
 * The message fields that would not fit one message of a channel that will carry them, as
 * validation details (refused when the campaign is written, never found mid-send).
 */
export function tooLong(
  t: Translator['t'],
  message: Record<Lang, string>,
  senders: ReadonlyMap<ChannelId, Sender>,
  channels: readonly ChannelId[] | undefined,
): { path: string; message: string }[] {
  const details: { path: string; message: string }[] = [];
  const content = { id: 'check', title: '', message };
  for (const [channel, sender] of senders) {
    if (channels?.length && !channels.includes(channel)) continue;
    if (!sender.parts) continue;
    for (const lang of LANGS) {
      const parts = sender.parts(outreachMessages(t, content, lang, channel));
      if (parts > 1)
        details.push({
          path: `message.${lang}`,
          message: `too long for one ${channel} message (would be ${parts}); shorten it or leave ${channel} out of the audience`,
        });
    }
  }
  return details;
}

/** Each channel's rendering of both languages' copies, for the campaign form's preview. */
export function outreachPreview(
  t: Translator['t'],
  message: Record<Lang, string>,
  senders: ReadonlyMap<ChannelId, Sender>,
): { channel: ChannelId; lang: Lang; texts: string[]; parts: number }[] {
  const content = { id: 'preview', title: '', message };
  const out: { channel: ChannelId; lang: Lang; texts: string[]; parts: number }[] = [];
  for (const [channel, sender] of senders)
    for (const lang of LANGS) {
      const messages = outreachMessages(t, content, lang, channel);
      const texts =
        sender.preview?.(messages) ?? messages.map((m) => `${m.text}\n\n${m.notice ?? ''}`.trim());
      out.push({ channel, lang, texts, parts: sender.parts?.(messages) ?? texts.length });
    }
  return out;
}
