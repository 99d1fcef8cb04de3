import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { LANGS, isLang, type Lang } from '../messaging/lang.js';
import type { CampaignRepo } from './campaign.repo.js';

/** Tibetan from the app's own font (the web chat serves it under /assets/fonts/). */
const STYLE = `@font-face{font-family:'Lamton Tibetan';font-weight:400;font-display:swap;src:url(/assets/fonts/noto-serif-tibetan-tibetan-400-normal.woff2) format('woff2');unicode-range:U+0F00-0FFF,U+25CC}
body{margin:0 auto;max-width:40rem;padding:1rem;font-family:'Lamton Tibetan',system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;line-height:1.7;color:#1f1f1f;background:#f4f1ea}
h1{font-size:1.3rem;color:#8a1c1c}article{white-space:pre-wrap;margin:0 0 2rem}article[lang=bo]{font-size:1.15rem;line-height:2}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /announcements/:id?lang=` — the whole text of a campaign that has gone out (WeChat's
 * template message links here: it carries only a title and a line). Public: an announcement is
 * public information; campaigns not yet sent, or cancelled, are not found.
 */
export function announcementRoutes(deps: {
  campaigns: Pick<CampaignRepo, 'get'>;
}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { id: string }; Querystring: { lang?: string } }>(
      '/announcements/:id',
      async (req, reply) => {
        const c = /^[0-9a-f]{24}$/i.test(req.params.id)
          ? await deps.campaigns.get(req.params.id)
          : null;
        if (!c || (c.status !== 'sending' && c.status !== 'completed'))
          return reply.code(404).send({ error: 'not_found' });
        const wanted = req.query.lang;
        const langs: readonly Lang[] = wanted && isLang(wanted) ? [wanted] : LANGS;
        const first = langs[0] ?? 'zh-CN';
        const body = langs
          .map((l) => `<article lang="${l}">${escape(c.message[l])}</article>`)
          .join('\n');
        const html = `<!doctype html><html lang="${first}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(c.title)}</title><style>${STYLE}</style></head><body><h1>${escape(c.title)}</h1>${body}</body></html>`;
        return reply
          .headers({
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'public, max-age=300',
            'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
          })
          .send(html);
      },
    );
  };
}
