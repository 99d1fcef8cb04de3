import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import type { Channel, ChannelModule, InboundContext, SenderContext } from './channel.js';
import { telegramChannel } from './telegram/index.js';
import { wechatChannel } from './wechat/index.js';
import { webChannel } from './web/index.js';

/** Every channel Lamton has. Adding one: its own folder, and one line here. */
export const CHANNELS: readonly ChannelModule[] = [webChannel, telegramChannel, wechatChannel];

/**
 * The senders of the channels configured here, by channel: all a worker needs to push to a
 * person (nothing inbound is built or started).
 */
export function buildSenders(
  ctx: SenderContext,
  modules: readonly ChannelModule[] = CHANNELS,
): ReadonlyMap<ChannelId, Sender> {
  const senders = new Map<ChannelId, Sender>();
  for (const m of modules) {
    const sender = m.enabled(ctx.config) ? m.sender?.(ctx) : undefined;
    if (sender) senders.set(m.id, sender);
  }
  return senders;
}

/** The inbound side of the channels configured here, each with this process's sender. */
export function buildChannels(
  ctx: InboundContext,
  senders: ReadonlyMap<ChannelId, Sender>,
  modules: readonly ChannelModule[] = CHANNELS,
): Channel[] {
  return modules.filter((m) => m.enabled(ctx.config)).map((m) => m.inbound(ctx, senders.get(m.id)));
}

/**
 * The senders, plus those only a running channel has (another wechaty puppet says through this
 * process's wechaty): what a worker in the same process as the channels can push through.
 */
export function withChannelSenders(
  senders: ReadonlyMap<ChannelId, Sender>,
  channels: readonly Channel[],
): ReadonlyMap<ChannelId, Sender> {
  const all = new Map(senders);
  for (const c of channels) if (c.sender && !all.has(c.id)) all.set(c.id, c.sender);
  return all;
}
