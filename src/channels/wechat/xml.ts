import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A WeChat callback message: the flat fields of its `<xml>` (all strings, as sent). */
export type WechatXml = Readonly<Record<string, string>>;

const parser = new XMLParser({
  // Strings stay strings: a MsgId is larger than a JavaScript number holds exactly.
  parseTagValue: false,
  // WeChat sends CDATA, never entities: nothing is expanded (no entity tricks).
  processEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
});

/** The fields of a WeChat XML body, or null when it is not well-formed `<xml>…</xml>`. */
export function parseWechatXml(body: string): WechatXml | null {
  if (XMLValidator.validate(body) !== true) return null;
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch {
    return null;
  }
  const xml = (doc as { xml?: unknown } | null)?.xml;
  if (!xml || typeof xml !== 'object' || Array.isArray(xml)) return null;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(xml as Record<string, unknown>))
    if (typeof value === 'string') out[key] = value;
  return out;
}

/** `]]>` cannot appear inside CDATA: split it across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** A passive text reply (the response body of a callback). */
export function textReplyXml(to: string, from: string, content: string, nowS: number): string {
  return (
    `<xml><ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName>` +
    `<CreateTime>${nowS}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content>${cdata(content)}</Content></xml>`
  );
}

/** A safe-mode envelope around an encrypted reply. */
export function encryptedReplyXml(
  encrypt: string,
  signature: string,
  timestamp: string,
  nonce: string,
): string {
  return (
    `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}
