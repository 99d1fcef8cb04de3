import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * WeChat's callback signatures and safe mode ("安全模式", WXBizMsgCrypt), from the published
 * algorithm:
 * - signature = sha1 of the sorted strings (token, timestamp, nonce[, encrypted message]) joined;
 * - AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, no padding
 *   by OpenSSL: the plaintext is 16 random bytes, the message length (4 bytes, big-endian), the
 *   message, the AppID, then PKCS#7 padding to a multiple of 32 bytes.
 */

/** sha1 of the sorted parts, as WeChat signs a callback (URL check: token, timestamp, nonce). */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Timing-safe comparison of a given signature with the expected one. */
export function signatureMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

const BLOCK = 32;

export class WechatCryptoError extends Error {
  override readonly name = 'WechatCryptoError';
}

export interface WechatCipher {
  encrypt(message: string): string;
  /** The message inside `encrypted`; throws WechatCryptoError when it is not for this AppID. */
  decrypt(encrypted: string): string;
}

/** A cipher for one account: its EncodingAESKey (43 characters) and AppID. */
export function createWechatCipher(encodingAesKey: string, appId: string): WechatCipher {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('WECHAT_AES_KEY must be 43 characters');
  const iv = key.subarray(0, 16);

  return {
    encrypt(message) {
      const body = Buffer.from(message, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, 'utf8')]);
      const pad = BLOCK - (plain.length % BLOCK);
      const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
      const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
    },
    decrypt(encrypted) {
      const data = Buffer.from(encrypted, 'base64');
      if (data.length === 0 || data.length % 16 !== 0)
        throw new WechatCryptoError('encrypted message has a wrong length');
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
        plain = Buffer.concat([decipher.update(data), decipher.final()]);
      } catch {
        throw new WechatCryptoError('encrypted message cannot be decrypted');
      }
      const pad = plain[plain.length - 1] ?? 0;
      if (pad < 1 || pad > BLOCK || pad > plain.length) throw new WechatCryptoError('bad padding');
      const content = plain.subarray(0, plain.length - pad);
      if (content.length < 20) throw new WechatCryptoError('encrypted message too short');
      const size = content.readUInt32BE(16);
      if (20 + size > content.length) throw new WechatCryptoError('bad message length');
      const from = content.subarray(20 + size).toString('utf8');
      if (from !== appId) throw new WechatCryptoError('message is for another AppID');
      return content.subarray(20, 20 + size).toString('utf8');
    },
  };
}
