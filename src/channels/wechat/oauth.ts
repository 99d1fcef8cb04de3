import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** The signed cookie that ties the web chat to a WeChat person (their OpenID). */
export const WECHAT_COOKIE = 'lamton_wx';
const COOKIE_DAYS = 30;

/**
 * The link the custom menu opens: WeChat's OAuth (snsapi_base, silent: no consent screen, the
 * OpenID only), which comes back to `PUBLIC_URL/wechat/oauth` with a code.
 */
export function oauthEntryUrl(appId: string, publicUrl: string): string {
  const back = new URL('/wechat/oauth', publicUrl).toString();
  const q = new URLSearchParams({
    appid: appId,
    redirect_uri: back,
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'chat',
  });
  return `https://open.weixin.qq.com/connect/oauth2/authorize?${q.toString()}#wechat_redirect`;
}

/** The WeChat person of a page request (a valid signed cookie), or null. */
export function wechatIdentity(request: FastifyRequest): string | null {
  const raw = request.cookies[WECHAT_COOKIE];
  if (!raw) return null;
  const { valid, value } = request.unsignCookie(raw);
  return valid && value && /^[\w-]{6,64}$/.test(value) ? value : null;
}

export interface OauthDeps {
  appId: string;
  appSecret: string;
  apiRoot: string;
  /** PUBLIC_URL: https decides whether the cookie is Secure. */
  publicUrl?: string;
  log: Logger;
}

/**
 * `GET /wechat/oauth?code=…`: exchanges the code for the person's OpenID
 * (`/sns/oauth2/access_token`), sets the signed cookie, and opens the web chat, which then talks
 * as that WeChat person: the page and the chat in WeChat are one conversation. Without a code,
 * or when WeChat refuses it, the page opens as an ordinary anonymous web chat.
 */
export function wechatOauthRoutes(deps: OauthDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/wechat/oauth', { schema: { hide: true } }, async (req, reply) => {
      const code = (req.query as { code?: unknown }).code;
      if (typeof code !== 'string' || !/^[\w-]{1,128}$/.test(code)) return reply.redirect('/');
      const url = new URL('/sns/oauth2/access_token', deps.apiRoot);
      url.search = new URLSearchParams({
        appid: deps.appId,
        secret: deps.appSecret,
        code,
        grant_type: 'authorization_code',
      }).toString();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { openid?: unknown; errcode?: unknown };
        if (typeof body.openid !== 'string' || !/^[\w-]{6,64}$/.test(body.openid)) {
          deps.log.warn({ errcode: body.errcode }, 'wechat oauth: no openid');
          return reply.redirect('/');
        }
        reply.setCookie(WECHAT_COOKIE, body.openid, {
          signed: true,
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.publicUrl?.startsWith('https:') ?? false,
          path: '/',
          maxAge: COOKIE_DAYS * 24 * 60 * 60,
        });
      } catch (err) {
        deps.log.warn({ err }, 'wechat oauth: exchange failed');
      }
      return reply.redirect('/');
    });
  };
}
