import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27018/x', REDIS_URL: 'redis://127.0.0.1:6381' };

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(c.QUIET_HOURS).toBe('22:00-08:00');
    expect(c.WORKING_HOURS).toBe('Mon-Fri 09:30-18:00');
    expect(c.TELEGRAM_BROADCAST_RATE).toBe(25);
    expect(c.RETENTION_MESSAGES_DAYS).toBe(180);
    expect(c.RETENTION_CASES_DAYS).toBe(1095);
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('treats an empty value as unset', () => {
    expect(loadConfig({ ...base, PORT: '', TELEGRAM_BOT_TOKEN: '' }).PORT).toBe(3000);
    expect(loadConfig({ ...base, TELEGRAM_BOT_TOKEN: '  ' }).TELEGRAM_BOT_TOKEN).toBeUndefined();
  });
  it('stops with a message naming every bad variable', () => {
    const bad = () =>
      loadConfig({ ...base, PORT: 'eighty', QUIET_HOURS: '25:00-08:00', TELEGRAM_MODE: 'push' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT/);
    expect(bad).toThrow(/QUIET_HOURS/);
    expect(bad).toThrow(/TELEGRAM_MODE/);
  });
  it('requires PUBLIC_URL and a secret for the Telegram webhook mode', () => {
    expect(() =>
      loadConfig({ ...base, TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'webhook' }),
    ).toThrow(/PUBLIC_URL/);
    expect(() =>
      loadConfig({
        ...base,
        TELEGRAM_BOT_TOKEN: '1:abc',
        TELEGRAM_MODE: 'webhook',
        PUBLIC_URL: 'https://x.example',
      }),
    ).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
  it('signs counsellor webhooks both ways: the URL needs the secret and the secret the URL', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(() =>
      loadConfig({ ...base, COUNSELLOR_WEBHOOK_URL: 'https://cases.example/hooks' }),
    ).toThrow(/COUNSELLOR_WEBHOOK_SECRET/);
    expect(() => loadConfig({ ...base, COUNSELLOR_WEBHOOK_SECRET: secret })).toThrow(
      /COUNSELLOR_WEBHOOK_URL/,
    );
    // Two keys while one is rotated.
    const both = loadConfig({
      ...base,
      COUNSELLOR_WEBHOOK_URL: 'https://cases.example/hooks',
      COUNSELLOR_WEBHOOK_SECRET: `${secret} whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=`,
    });
    expect(both.COUNSELLOR_WEBHOOK_SECRET?.split(' ')).toHaveLength(2);
    expect(() =>
      loadConfig({
        ...base,
        COUNSELLOR_WEBHOOK_SECRET: 'not-a-secret',
        COUNSELLOR_WEBHOOK_URL: 'https://x.example',
      }),
    ).toThrow(/COUNSELLOR_WEBHOOK_SECRET/);
  });
  it('names a missing database URL', () => {
    expect(() => loadConfig({ REDIS_URL: base.REDIS_URL })).toThrow(/MONGODB_URI/);
  });
});
