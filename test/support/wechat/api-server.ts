import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** A customer-service or template message the fake WeChat API received. */
export interface WechatSent {
  kind: 'custom' | 'template' | 'menu';
  touser?: string;
  content?: string;
  body: Record<string, unknown>;
}

export interface WechatApiServer {
  /** e.g. http://127.0.0.1:PORT — pass as WECHAT_API_ROOT */
  apiRoot: string;
  appId: string;
  appSecret: string;
  sent(touser?: string): WechatSent[];
  /** Access tokens handed out so far. */
  tokensIssued(): number;
  /** The current token stops working (the next call gets 40001, as after an early expiry). */
  expireToken(): void;
  /** The next `times` calls of `path` answer this errcode. */
  failNext(path: string, errcode: number, errmsg?: string, times?: number): void;
  waitForSent(pred: (m: WechatSent) => boolean, timeoutMs?: number): Promise<WechatSent>;
  /** A temporary media file (a voice note) `/cgi-bin/media/get` serves by its MediaId. */
  addMedia(mediaId: string, bytes: Buffer, contentType?: string): void;
  /** The remark (备注名) staff gave a follower in the account's console. */
  setRemark(openId: string, remark: string): void;
  /** An OAuth code (what WeChat appends to the redirect) for this person. */
  oauthCode(openId: string): string;
  close(): Promise<void>;
}

/**
 * The WeChat API on loopback, as far as Lamton uses it: `/cgi-bin/token`, customer-service and
 * template messages, the custom menu; token expiry (40001) and error codes can be injected.
 */
export async function startWechatApiServer(): Promise<WechatApiServer> {
  const appId = 'wx5e1a7b7c0ffee123';
  const appSecret = 'lamton-test-app-secret';
  let token = '';
  let issued = 0;
  const valid = new Set<string>();
  const sent: WechatSent[] = [];
  const faults = new Map<string, { errcode: number; errmsg: string; times: number }[]>();
  const waiters = new Set<() => void>();
  const codes = new Map<string, string>();
  const remarks = new Map<string, string>();
  const media = new Map<string, { bytes: Buffer; type: string }>();

  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString('utf8')));
      req.on('end', () => resolve(data));
    });

  const server = createServer((req, res) => {
    (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      if (path === '/cgi-bin/token') {
        if (url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret)
          return json(res, { errcode: 40013, errmsg: 'invalid appid' });
        token = `tok-${randomUUID()}`;
        valid.add(token);
        issued++;
        return json(res, { access_token: token, expires_in: 7200 });
      }
      if (path === '/sns/oauth2/access_token') {
        const openid = codes.get(url.searchParams.get('code') ?? '');
        if (!openid || url.searchParams.get('secret') !== appSecret)
          return json(res, { errcode: 40029, errmsg: 'invalid code' });
        codes.delete(url.searchParams.get('code') ?? ''); // a code is good once
        return json(res, {
          access_token: 'web-token',
          expires_in: 7200,
          openid,
          scope: 'snsapi_base',
        });
      }
      if (!valid.has(url.searchParams.get('access_token') ?? ''))
        return json(res, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid' });
      if (path === '/cgi-bin/user/info') {
        const openid = url.searchParams.get('openid') ?? '';
        return json(res, {
          subscribe: 1,
          openid,
          language: 'zh_CN',
          subscribe_time: 1_700_000_000,
          remark: remarks.get(openid) ?? '',
        });
      }
      if (path === '/cgi-bin/media/get') {
        const file = media.get(url.searchParams.get('media_id') ?? '');
        if (!file) return json(res, { errcode: 40007, errmsg: 'invalid media_id' });
        res.writeHead(200, { 'content-type': file.type, 'content-length': file.bytes.length });
        return res.end(file.bytes);
      }
      const fault = faults.get(path)?.[0];
      if (fault) {
        fault.times--;
        if (fault.times <= 0) faults.get(path)?.shift();
        return json(res, { errcode: fault.errcode, errmsg: fault.errmsg });
      }
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      const record = (m: WechatSent) => {
        sent.push(m);
        for (const w of waiters) w();
      };
      if (path === '/cgi-bin/message/custom/send') {
        const text = body.text as { content?: string } | undefined;
        record({ kind: 'custom', touser: String(body.touser), content: text?.content ?? '', body });
        return json(res, { errcode: 0, errmsg: 'ok' });
      }
      if (path === '/cgi-bin/message/template/send') {
        record({ kind: 'template', touser: String(body.touser), body });
        return json(res, { errcode: 0, errmsg: 'ok', msgid: Date.now() });
      }
      if (path === '/cgi-bin/menu/create') {
        record({ kind: 'menu', body });
        return json(res, { errcode: 0, errmsg: 'ok' });
      }
      res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    sent: (touser) => sent.filter((m) => touser === undefined || m.touser === touser),
    tokensIssued: () => issued,
    expireToken: () => valid.delete(token),
    failNext(path, errcode, errmsg = 'injected', times = 1) {
      faults.set(path, [...(faults.get(path) ?? []), { errcode, errmsg, times }]);
    },
    setRemark: (openId, remark) => void remarks.set(openId, remark),
    addMedia: (mediaId, bytes, type = 'audio/amr') => void media.set(mediaId, { bytes, type }),
    oauthCode(openId) {
      const code = `code-${randomUUID()}`;
      codes.set(code, openId);
      return code;
    },
    waitForSent(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = sent.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('fake WeChat API: no matching message in time'));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
