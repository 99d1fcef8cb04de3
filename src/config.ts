import { z } from 'zod';

/** Empty strings count as unset (DESIGN.md: "an empty value counts as unset"). */
const opt = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    schema.optional(),
  );
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    schema.default(fallback as never),
  );

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
const timeRange = z
  .string()
  .regex(/^\d\d:\d\d-\d\d:\d\d$/, 'expected HH:MM-HH:MM')
  .refine((v) => v.split('-').every((p) => hhmm.test(p)), 'expected HH:MM-HH:MM');
const workingHours = z
  .string()
  .regex(
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)-(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
    'expected e.g. Mon-Fri 09:30-18:00',
  );
const intFrom = (min: number) => z.coerce.number().int().min(min);

/** Every environment variable in DESIGN.md, validated once at start. */
export const configSchema = z.object({
  PORT: withDefault(z.coerce.number().int().min(0).max(65535), 3000),
  HOST: withDefault(z.string(), '0.0.0.0'),
  PUBLIC_URL: opt(z.url({ protocol: /^https?$/ })),
  MONGODB_URI: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string({ error: 'required (npm start sets it when it starts local services)' })
      .regex(/^mongodb(\+srv)?:\/\//, 'expected mongodb://…'),
  ),
  REDIS_URL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string({ error: 'required (npm start sets it when it starts local services)' })
      .regex(/^rediss?:\/\//, 'expected redis://…'),
  ),
  ADMIN_TOKEN: opt(z.string().min(16, 'must be at least 16 characters')),
  /**
   * Addresses (comma-separated IPs or CIDRs) of the reverse proxies whose X-Forwarded-For is
   * believed; unset: the connection's own address is the client's.
   */
  TRUST_PROXY: opt(
    z
      .string()
      .regex(/^[0-9a-fA-F.:/, ]+$/, 'expected IP addresses or CIDRs, comma-separated')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
  ),
  /** Bearer token Prometheus sends for /metrics (ADMIN_TOKEN works too); without either, /metrics is closed. */
  METRICS_TOKEN: opt(z.string().min(16, 'must be at least 16 characters')),
  TELEGRAM_BOT_TOKEN: opt(z.string().regex(/^\d+:[\w-]+$/, 'expected <id>:<secret>')),
  TELEGRAM_API_ROOT: withDefault(z.url({ protocol: /^https?$/ }), 'https://api.telegram.org'),
  TELEGRAM_MODE: withDefault(z.enum(['polling', 'webhook']), 'polling'),
  TELEGRAM_WEBHOOK_SECRET: opt(
    z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'use 1-256 of A-Z a-z 0-9 _ -'),
  ),
  WECHATY_PUPPET: opt(z.string()),
  WECHAT_APPID: opt(z.string()),
  WECHAT_APPSECRET: opt(z.string()),
  WECHAT_TOKEN: opt(z.string()),
  WECHAT_AES_KEY: opt(
    z.string().regex(/^[A-Za-z0-9]{43}$/, 'expected the 43-character EncodingAESKey'),
  ),
  WECHAT_API_ROOT: withDefault(z.url(), 'https://api.weixin.qq.com'),
  /**
   * The Official Account's template for outreach outside a person's 48-hour window (fields
   * first, keyword1 = subject, keyword2 = date, remark); unset: such people are skipped.
   */
  WECHAT_TEMPLATE_ID: opt(z.string().regex(/^[\w-]{1,128}$/, 'expected a template id')),
  /** Outreach messages per second on WeChat (customer-service and template), all workers together. */
  WECHAT_BROADCAST_RATE: withDefault(z.coerce.number().positive().max(1000), 20),
  COUNSELLOR_WEBHOOK_URL: opt(z.url()),
  /** One `whsec_<base64>` key, or several separated by spaces while a key is rotated. */
  COUNSELLOR_WEBHOOK_SECRET: opt(
    z
      .string()
      .trim()
      .regex(/^whsec_[A-Za-z0-9+/=]+( +whsec_[A-Za-z0-9+/=]+)*$/, 'expected whsec_<base64>'),
  ),
  /** Working minutes within which a counsellor should first answer a case (else case.escalated). */
  CASE_FIRST_RESPONSE_MINUTES: withDefault(intFrom(1), 30),
  /** Days within which the office answers a complaint (overdue ones are listed for supervisors). */
  COMPLAINT_DEADLINE_DAYS: withDefault(intFrom(1), 15),
  /** The holiday calendar (public holidays, Tibet's regional ones, make-up working days). */
  HOLIDAYS_FILE: withDefault(z.string(), 'calendar/holidays.json'),
  LOG_LEVEL: withDefault(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'info',
  ),
  /** Seals sensitive fields; several space-separated keys while rotating (the first seals). */
  DATA_KEY: opt(
    z
      .string()
      .refine(
        (v) => v.split(/\s+/).every((k) => k.length === 0 || k.length >= 32),
        'each key must be at least 32 characters (e.g. openssl rand -base64 32)',
      ),
  ),
  SESSION_SECRET: opt(z.string().min(32, 'must be at least 32 characters')),
  QUIET_HOURS: withDefault(timeRange, '22:00-08:00'),
  WORKING_HOURS: withDefault(workingHours, 'Mon-Fri 09:30-18:00'),
  TELEGRAM_BROADCAST_RATE: withDefault(z.coerce.number().positive().max(30), 25),
  CAMPAIGN_APPROVAL_THRESHOLD: withDefault(intFrom(0), 1000),
  ALERTS_PER_DAY: withDefault(intFrom(0), 3),
  RETENTION_MESSAGES_DAYS: withDefault(intFrom(1), 180),
  RETENTION_CASES_DAYS: withDefault(intFrom(1), 1095),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The only place that reads process.env. Throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if (cfg.TELEGRAM_BOT_TOKEN && cfg.TELEGRAM_MODE === 'webhook') {
    if (!cfg.PUBLIC_URL)
      throw new ConfigError(
        'Invalid configuration:\n  PUBLIC_URL: required when TELEGRAM_MODE=webhook',
      );
    if (!cfg.TELEGRAM_WEBHOOK_SECRET)
      throw new ConfigError(
        'Invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook',
      );
  }
  if (Boolean(cfg.COUNSELLOR_WEBHOOK_URL) !== Boolean(cfg.COUNSELLOR_WEBHOOK_SECRET))
    throw new ConfigError(
      `Invalid configuration:\n  ${cfg.COUNSELLOR_WEBHOOK_URL ? 'COUNSELLOR_WEBHOOK_SECRET' : 'COUNSELLOR_WEBHOOK_URL'}: required with ${cfg.COUNSELLOR_WEBHOOK_URL ? 'COUNSELLOR_WEBHOOK_URL' : 'COUNSELLOR_WEBHOOK_SECRET'} (the counsellor webhooks are signed both ways)`,
    );
  return Object.freeze(cfg);
}

/** Where a deployment's keys live in Redis (every process and script of it uses this). */
export const REDIS_PREFIX = 'lamton:';
