import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** The signed cookie that ties the web chat to a WeChat person (their OpenID). */
export const WECHAT_COOKIE = 'lamton_wx';
/** The signed cookie holding the OAuth round trip's `state` (this browser's, for 10 minutes). */
export const WECHAT_STATE_COOKIE = 'lamton_wx_state';
const COOKIE_DAYS = 30;
const STATE_MINUTES = 10;
/**
 * The OpenID cookie's value carries this prefix: every cookie is signed with the same secret, so
 * without it another signed value (the web chat's session id) would pass for an OpenID.
 */
const VALUE_PREFIX = 'wx:';

/**
 * The link the custom menu opens: our `/wechat/login`, which starts WeChat's OAuth with a state
 * of this browser's own (a link to WeChat's page with a fixed state would let anyone's login
 * finish in someone else's browser).
 */
export function menuLinkUrl(publicUrl: string): string {
  return new URL('/wechat/login', publicUrl).toString();
}

/**
 * WeChat's OAuth page (snsapi_base, silent: no consent screen, the OpenID only), which comes back
 * to `PUBLIC_URL/wechat/oauth` with a code and the `state` given here.
 */
export function oauthEntryUrl(appId: string, publicUrl: string, state: string): string {
  const back = new URL('/wechat/oauth', publicUrl).toString();
  const q = new URLSearchParams({
    appid: appId,
    redirect_uri: back,
    response_type: 'code',
    scope: 'snsapi_base',
    state,
  });
  return `https://open.weixin.qq.com/connect/oauth2/authorize?${q.toString()}#wechat_redirect`;
}

/** The WeChat person of a page request (a valid signed cookie), or null. */
export function wechatIdentity(request: FastifyRequest): string | null {
  const raw = request.cookies[WECHAT_COOKIE];
  if (!raw) return null;
  const { valid, value } = request.unsignCookie(raw);
  if (!valid || !value?.startsWith(VALUE_PREFIX)) return null;
  const openId = value.slice(VALUE_PREFIX.length);
  return /^[\w-]{6,64}$/.test(openId) ? openId : null;
}

/** Whether the state WeChat sent back is the one this browser was given (then it is used up). */
function stateMatches(req: FastifyRequest, reply: FastifyReply): boolean {
  const raw = req.cookies[WECHAT_STATE_COOKIE];
  reply.clearCookie(WECHAT_STATE_COOKIE, { path: '/wechat' });
  const given = (req.query as { state?: unknown }).state;
  if (!raw || typeof given !== 'string') return false;
  const { valid, value } = req.unsignCookie(raw);
  if (!valid || !value) return false;
  const a = Buffer.from(value);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
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
 * `GET /wechat/login` (the custom menu's link): a state for this browser, then WeChat's OAuth.
 * `GET /wechat/oauth?code=…&state=…`: checks the state, exchanges the code for the person's OpenID
 * (`/sns/oauth2/access_token`), sets the signed cookie, and opens the web chat, which then talks
 * as that WeChat person: the page and the chat in WeChat are one conversation. Without a code,
 * or when WeChat refuses it, the page opens as an ordinary anonymous web chat.
 */
export function wechatOauthRoutes(deps: OauthDeps): FastifyPluginAsync {
  const secure = deps.publicUrl?.startsWith('https:') ?? false;
  return async (app) => {
    app.get('/wechat/login', { schema: { hide: true } }, async (_req, reply) => {
      // WeChat needs the address to come back to: without PUBLIC_URL, the anonymous page.
      if (!deps.publicUrl) return reply.redirect('/');
      const state = randomBytes(16).toString('base64url');
      reply.setCookie(WECHAT_STATE_COOKIE, state, {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/wechat',
        maxAge: STATE_MINUTES * 60,
      });
      return reply.redirect(oauthEntryUrl(deps.appId, deps.publicUrl, state));
    });

    app.get('/wechat/oauth', { schema: { hide: true } }, async (req, reply) => {
      const code = (req.query as { code?: unknown }).code;
      if (typeof code !== 'string' || !/^[\w-]{1,128}$/.test(code)) return reply.redirect('/');
      // Only the browser that started this login may finish it (no login planted from a link).
      if (!stateMatches(req, reply)) {
        deps.log.warn('wechat oauth: state missing or not this browser’s');
        return reply.redirect('/');
      }
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
        reply.setCookie(WECHAT_COOKIE, `${VALUE_PREFIX}${body.openid}`, {
          signed: true,
          httpOnly: true,
          sameSite: 'lax',
          secure,
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
