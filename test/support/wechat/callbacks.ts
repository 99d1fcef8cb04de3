import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * WeChat's side of a callback, written from the published algorithm (independently of
 * src/channels/wechat/crypto.ts): signed query strings, safe-mode envelopes, and the decryption
 * of an encrypted passive reply.
 */
export interface Account {
  token: string;
  aesKey: string;
  appId: string;
}

const sha1 = (parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

export function messageXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) =>
      typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`,
    )
    .join('');
  return `<xml>${body}</xml>`;
}

function encrypt(account: Account, message: string): string {
  const key = Buffer.from(`${account.aesKey}=`, 'base64');
  const body = Buffer.from(message);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), len, body, Buffer.from(account.appId)]);
  const pad = 32 - (plain.length % 32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([
    c.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    c.final(),
  ]).toString('base64');
}

function decrypt(account: Account, encrypted: string): string {
  const key = Buffer.from(`${account.aesKey}=`, 'base64');
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([d.update(Buffer.from(encrypted, 'base64')), d.final()]);
  const size = plain.readUInt32BE(16);
  return plain.subarray(20, 20 + size).toString('utf8');
}

/** The URL and body WeChat would POST for `xml` (safe mode when `aes`). */
export function callback(
  account: Account,
  xml: string,
  opts: { aes?: boolean; forge?: boolean } = {},
): { url: string; body: string } {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString('hex');
  const q = new URLSearchParams({
    signature: opts.forge ? 'f'.repeat(40) : sha1([account.token, timestamp, nonce]),
    timestamp,
    nonce,
    openid: 'ignored-by-lamton',
  });
  if (!opts.aes) return { url: `/webhooks/wechat?${q.toString()}`, body: xml };
  const enc = encrypt(account, xml);
  q.set('encrypt_type', 'aes');
  q.set('msg_signature', sha1([account.token, timestamp, nonce, enc]));
  return {
    url: `/webhooks/wechat?${q.toString()}`,
    body: `<xml><ToUserName><![CDATA[gh_lamton]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  };
}

/** The reply text inside a passive reply (decrypting and checking a safe-mode one). */
export function replyText(account: Account, body: string): string | null {
  let xml = body;
  const enc = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/s.exec(body)?.[1];
  if (enc) {
    const sig = /<MsgSignature><!\[CDATA\[(.*?)\]\]>/.exec(body)?.[1];
    const ts = /<TimeStamp>(\d+)<\/TimeStamp>/.exec(body)?.[1] ?? '';
    const nonce = /<Nonce><!\[CDATA\[(.*?)\]\]>/.exec(body)?.[1] ?? '';
    if (sig !== sha1([account.token, ts, nonce, enc])) throw new Error('reply signature wrong');
    xml = decrypt(account, enc);
  }
  const m = /<Content><!\[CDATA\[(.*?)\]\]><\/Content>/s.exec(xml);
  return m ? m[1]!.replaceAll(']]]]><![CDATA[>', ']]>') : null;
}
