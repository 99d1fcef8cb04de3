import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** An error answer of the WeChat API (`errcode` ≠ 0), or an HTTP failure (`errcode` -2). */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    /** HTTP status when the failure was not an API answer (0: network). */
    readonly status = 200,
  ) {
    super(`wechat api ${errcode}: ${errmsg}`);
  }
}

/** Token invalid or expired: refresh once and try again. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/** Refresh this long before WeChat's expiry (its tokens live 7,200 s). */
const EARLY_S = 300;

export interface WechatApi {
  /** A valid access token, shared by every process through Redis. */
  token(): Promise<string>;
  /** POST JSON to a `/cgi-bin/...` path with the access token; the answer's fields. */
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
  get(path: string, query?: Record<string, string>): Promise<Record<string, unknown>>;
  /** A temporary media file the person sent (voice, image) by its MediaId: bytes and type. */
  media(mediaId: string): Promise<{ bytes: Buffer; contentType: string }>;
  /** A customer-service text message (inside the 48-hour window). */
  sendText(openId: string, content: string): Promise<string>;
  /** A template message (outside the window; for outreach): its msgid. */
  sendTemplate(
    openId: string,
    templateId: string,
    data: Record<string, { value: string }>,
    url?: string,
  ): Promise<string>;
}

export interface WechatApiOptions {
  appId: string;
  appSecret: string;
  /** WECHAT_API_ROOT, e.g. https://api.weixin.qq.com */
  apiRoot: string;
  redis: Redis;
  prefix: string;
  log: Logger;
  timeoutMs?: number;
}

/**
 * The WeChat API client. The access token is kept in Redis for every process; one process at a
 * time refreshes it (a short Redis lock) before it expires; an answer saying the token is
 * invalid or expired (40001, 40014, 42001) refreshes it once and tries again.
 */
export function createWechatApi(o: WechatApiOptions): WechatApi {
  const tokenKey = `${o.prefix}wechat:token`;
  const lockKey = `${o.prefix}wechat:token:lock`;
  const root = o.apiRoot.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? 10_000;

  async function request(url: string, init?: RequestInit): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new WechatApiError(-2, err instanceof Error ? err.message : 'network', 0);
    }
    if (!res.ok) throw new WechatApiError(-2, `http ${res.status}`, res.status);
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') throw new WechatApiError(-2, 'not json', res.status);
    const code = typeof body.errcode === 'number' ? body.errcode : 0;
    if (code !== 0) throw new WechatApiError(code, scalar(body.errmsg));
    return body;
  }

  async function fetchToken(): Promise<string> {
    const url = new URL(`${root}/cgi-bin/token`);
    url.search = new URLSearchParams({
      grant_type: 'client_credential',
      appid: o.appId,
      secret: o.appSecret,
    }).toString();
    const body = await request(url.toString());
    const token = body.access_token;
    const expires = typeof body.expires_in === 'number' ? body.expires_in : 7200;
    if (typeof token !== 'string' || token.length === 0)
      throw new WechatApiError(-2, 'no access_token in answer');
    await o.redis.set(tokenKey, token, 'EX', Math.max(60, expires - EARLY_S));
    o.log.info('wechat access token refreshed');
    return token;
  }

  async function token(): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const cached = await o.redis.get(tokenKey);
      if (cached) return cached;
      const owner = randomUUID();
      if ((await o.redis.set(lockKey, owner, 'PX', 10_000, 'NX')) === 'OK') {
        try {
          return await fetchToken();
        } finally {
          await o.redis
            .eval(
              `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`,
              1,
              lockKey,
              owner,
            )
            .catch(() => undefined);
        }
      }
      await new Promise((r) => setTimeout(r, 100)); // another process is refreshing it
    }
    throw new WechatApiError(-2, 'access token not available');
  }

  /** Forgets `used` (only if no other process has replaced it meanwhile). */
  async function forget(used: string): Promise<void> {
    await o.redis.eval(
      `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`,
      1,
      tokenKey,
      used,
    );
  }

  async function withToken(
    call: (token: string) => Promise<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const first = await token();
    try {
      return await call(first);
    } catch (err) {
      if (!(err instanceof WechatApiError) || !TOKEN_ERRORS.has(err.errcode)) throw err;
      o.log.warn({ errcode: err.errcode }, 'wechat access token refused; refreshing once');
      await forget(first);
      return call(await token());
    }
  }

  const api: WechatApi = {
    token,
    post: (path, body) =>
      withToken((t) =>
        request(`${root}${path}?access_token=${encodeURIComponent(t)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    get: (path, query = {}) =>
      withToken((t) => {
        const url = new URL(`${root}${path}`);
        url.search = new URLSearchParams({ ...query, access_token: t }).toString();
        return request(url.toString());
      }),
    async media(mediaId) {
      const download = async (t: string) => {
        const url = new URL(`${root}/cgi-bin/media/get`);
        url.search = new URLSearchParams({ access_token: t, media_id: mediaId }).toString();
        let res: Response;
        try {
          res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs * 3) });
        } catch (err) {
          throw new WechatApiError(-2, err instanceof Error ? err.message : 'network', 0);
        }
        if (!res.ok) throw new WechatApiError(-2, `http ${res.status}`, res.status);
        const type = res.headers.get('content-type') ?? 'application/octet-stream';
        const bytes = Buffer.from(await res.arrayBuffer());
        // An error comes back as JSON instead of the file.
        if (/json|text\/plain/.test(type)) {
          const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
          const code = typeof body.errcode === 'number' ? body.errcode : -2;
          throw new WechatApiError(code, scalar(body.errmsg));
        }
        return { bytes, contentType: type };
      };
      const first = await token();
      try {
        return await download(first);
      } catch (err) {
        if (!(err instanceof WechatApiError) || !TOKEN_ERRORS.has(err.errcode)) throw err;
        await forget(first);
        return download(await token());
      }
    },
    async sendText(openId, content) {
      const body = await api.post('/cgi-bin/message/custom/send', {
        touser: openId,
        msgtype: 'text',
        text: { content },
      });
      return scalar(body.msgid);
    },
    async sendTemplate(openId, templateId, data, url) {
      const body = await api.post('/cgi-bin/message/template/send', {
        touser: openId,
        template_id: templateId,
        ...(url ? { url } : {}),
        data,
      });
      return scalar(body.msgid);
    },
  };
  return api;
}

/** A field of an answer as text ('' when it is absent or not a scalar). */
function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
