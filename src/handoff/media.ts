import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ChannelId, MediaRef } from '../messaging/inbound.js';
import { SendError, type Sender } from '../messaging/send.js';

/** How long a media link works (a counsellor acts on a case within days). */
export const MEDIA_LINK_TTL_MS = 14 * 24 * 60 * 60 * 1000;

const CHANNELS: ReadonlySet<string> = new Set(['telegram', 'wechat', 'web']);

/**
 * Links of this service to what a person sent (voice notes, photos): `/media/<token>`, where the
 * token names the channel and its media id, its expiry, and an HMAC of both with the session
 * secret. A counsellor's system fetches it with no other credentials; a changed or expired
 * token gets nothing. Never a Telegram or WeChat URL (those carry the bot's token).
 */
export function createMediaLinks(opts: {
  secret: string;
  baseUrl: string;
  ttlMs?: number;
  now?: () => number;
}) {
  const now = opts.now ?? Date.now;
  const sign = (payload: string) =>
    createHmac('sha256', opts.secret).update(`media.${payload}`).digest('base64url');
  return {
    link(ref: MediaRef): string {
      const payload = Buffer.from(
        JSON.stringify({ c: ref.channel, i: ref.id, e: now() + (opts.ttlMs ?? MEDIA_LINK_TTL_MS) }),
      ).toString('base64url');
      return `${opts.baseUrl.replace(/\/+$/, '')}/media/${payload}.${sign(payload)}`;
    },
    /** The media a token names; 'expired' past its time; null when it is not ours. */
    read(token: string): { channel: ChannelId; id: string } | 'expired' | null {
      const [payload = '', mac = ''] = token.split('.');
      const want = Buffer.from(sign(payload));
      const got = Buffer.from(mac);
      if (payload.length === 0 || got.length !== want.length || !timingSafeEqual(got, want))
        return null;
      try {
        const v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
          c?: unknown;
          i?: unknown;
          e?: unknown;
        };
        if (
          typeof v.c !== 'string' ||
          !CHANNELS.has(v.c) ||
          typeof v.i !== 'string' ||
          typeof v.e !== 'number'
        )
          return null;
        return v.e < now() ? 'expired' : { channel: v.c as ChannelId, id: v.i };
      } catch {
        return null;
      }
    },
  };
}

export type MediaLinks = ReturnType<typeof createMediaLinks>;

/** GET /media/:token — the bytes, fetched through the channel's sender with its credentials. */
export function mediaRoutes(deps: {
  links: MediaLinks;
  senders: ReadonlyMap<ChannelId, Sender>;
  log: Logger;
}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { token: string } }>(
      '/media/:token',
      { schema: { hide: true } },
      async (req, reply) => {
        const token = req.params.token;
        const ref = token.length <= 2048 ? deps.links.read(token) : null;
        if (ref === null) return reply.code(404).send({ error: 'not_found' });
        if (ref === 'expired')
          return reply.code(410).send({ error: 'gone', message: 'link expired' });
        const sender = deps.senders.get(ref.channel);
        if (!sender?.fetchMedia) return reply.code(404).send({ error: 'not_found' });
        try {
          const media = await sender.fetchMedia(ref.id);
          return reply
            .header('content-type', media.contentType)
            .header('cache-control', 'private, no-store')
            .header('content-disposition', 'inline')
            .send(media.bytes);
        } catch (err) {
          const kind = err instanceof SendError ? err.kind : 'transient';
          deps.log.warn({ channel: ref.channel, kind }, 'media fetch failed');
          // The channel no longer has it (WeChat keeps media 3 days): gone; else try again later.
          if (kind === 'rejected' || kind === 'blocked')
            return reply.code(410).send({ error: 'gone', message: 'the channel no longer has it' });
          return reply.code(503).header('retry-after', '30').send({ error: 'unavailable' });
        }
      },
    );
  };
}
