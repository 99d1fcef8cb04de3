import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createWechatCipher,
  signatureMatches,
  wechatSignature,
  WechatCryptoError,
} from './crypto.js';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'; // 43 characters, as WeChat gives
const APPID = 'wx1234567890abcdef';

describe('WeChat signatures and safe mode', () => {
  it('signs the sorted parts with sha1 (the URL check of the published algorithm)', () => {
    // sha1("1409304348" + "pamtest" + "xxxxxx"), sorted: digits sort before letters.
    expect(wechatSignature('pamtest', '1409304348', 'xxxxxx')).toBe(
      wechatSignature('xxxxxx', 'pamtest', '1409304348'),
    );
    expect(wechatSignature('b', 'a')).toBe('da23614e02469a0d7c7bd1bdab5c9c474b1904dc'); // sha1("ab")
    expect(
      signatureMatches('da23614e02469a0d7c7bd1bdab5c9c474b1904dc', wechatSignature('a', 'b')),
    ).toBe(true);
    expect(signatureMatches('nope', wechatSignature('a', 'b'))).toBe(false);
    expect(signatureMatches(undefined, wechatSignature('a', 'b'))).toBe(false);
  });

  it('lays the plaintext out as WeChat does: random 16, length, message, AppID, PKCS#7 to 32', () => {
    const cipher = createWechatCipher(AES_KEY, APPID);
    const message = '<xml><Content><![CDATA[失业金怎么领 ཞིབ་འཇུག]]></Content></xml>';
    const encrypted = cipher.encrypt(message);
    // Decrypt by hand, independently of the module's own decrypt.
    const key = Buffer.from(`${AES_KEY}=`, 'base64');
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(encrypted, 'base64')), d.final()]);
    expect(plain.length % 32).toBe(0);
    const pad = plain[plain.length - 1]!;
    expect(pad).toBeGreaterThanOrEqual(1);
    expect(pad).toBeLessThanOrEqual(32);
    const size = plain.readUInt32BE(16);
    expect(plain.subarray(20, 20 + size).toString('utf8')).toBe(message);
    expect(plain.subarray(20 + size, plain.length - pad).toString('utf8')).toBe(APPID);
    expect(cipher.decrypt(encrypted)).toBe(message);
  });

  it('refuses another AppID, tampered or truncated text, and a wrong key length', () => {
    const ours = createWechatCipher(AES_KEY, APPID);
    const theirs = createWechatCipher(AES_KEY, 'wxotherappid000000');
    expect(() => ours.decrypt(theirs.encrypt('<xml/>'))).toThrow(WechatCryptoError);
    for (const bad of ['', 'not base64 at all!', 'AAAA', Buffer.alloc(33).toString('base64')])
      expect(() => ours.decrypt(bad)).toThrow(WechatCryptoError);
    const flipped = Buffer.from(ours.encrypt('<xml>hello</xml>'), 'base64');
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0xff, flipped.length - 1);
    expect(() => ours.decrypt(flipped.toString('base64'))).toThrow(WechatCryptoError);
    expect(() => createWechatCipher('short', APPID)).toThrow(WechatCryptoError);
  });
});
