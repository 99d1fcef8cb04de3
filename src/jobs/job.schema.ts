import { z } from 'zod';
import { DISTRICTS } from '../campaigns/campaign.routes.js';
import { LHASA_OFFSET_MS } from '../lib/lhasa-time.js';
import { cleanText } from '../lib/normalize.js';

/** The limits of every field (characters, after normalising). */
export const LIMITS = {
  title: 100,
  employer: 100,
  description: 2000,
  contact: 200,
  category: 40,
} as const;

/** A posting without `expiresAt` is open this long. */
export const DEFAULT_OPEN_DAYS = 30;
/** The furthest `expiresAt` accepted. */
export const MAX_OPEN_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

export const JOB_STATUSES = ['open', 'closed', 'expired'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const HAN = /\p{Script=Han}/u;
const TIBETAN = /[\u0F40-\u0FBC]/u;

const required = (what: string) => (iss: { input: unknown }) =>
  iss.input === undefined || iss.input === null ? 'required' : `expected ${what}`;

/**
 * A text field: NFC, no control or invisible characters (nothing with NUL reaches the
 * database), one line unless `multiline`, trimmed; then 1..max characters. The raw length is
 * bounded first so a huge string is refused before any work is done on it.
 */
function text(max: number, opts: { multiline?: boolean; script?: 'zh' | 'bo' } = {}) {
  let checked = z.string().min(1, 'required').max(max, `at most ${max} characters`);
  if (opts.script === 'zh')
    checked = checked.refine((s) => s === '' || HAN.test(s), 'expected Chinese text');
  if (opts.script === 'bo')
    checked = checked.refine((s) => s === '' || TIBETAN.test(s), 'expected Tibetan text');
  return z
    .string({ error: required('text') })
    .max(max * 4, `at most ${max} characters`)
    .transform((s) => {
      const t = cleanText(s);
      return (opts.multiline ? t : t.replace(/\s*\n\s*/g, ' ')).trim();
    })
    .pipe(checked);
}

/** `"中文"` (Chinese) or `{"zh-CN": "中文", "bo": "བོད་ཡིག"}`; the Tibetan is optional. */
function bilingual(max: number, multiline: boolean) {
  const bo = text(max, { multiline, script: 'bo' });
  return z.preprocess(
    (v) => (typeof v === 'string' ? { 'zh-CN': v } : v),
    z
      .object(
        {
          'zh-CN': text(max, { multiline, script: 'zh' }),
          // An empty Tibetan text is no Tibetan text.
          bo: z.preprocess((v) => (v === '' || v === null ? undefined : v), bo.optional()),
        },
        { error: required('a text or {"zh-CN","bo"}') },
      )
      .strict(),
  );
}

const district = z.enum(DISTRICTS, {
  error: (iss) =>
    iss.input === undefined ? 'required' : `expected one of ${DISTRICTS.join(', ')}`,
});

/** A lower-case slug; empty or null: none. */
const category = z.preprocess(
  (v) => (v === '' ? null : v),
  z
    .string({ error: 'expected a lower-case slug (a-z, 0-9, -)' })
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a lower-case slug (a-z, 0-9, -)')
    .nullable()
    .optional(),
);

/**
 * `expiresAt`: an ISO 8601 instant with its offset, or a date (`YYYY-MM-DD`, also with `/`),
 * which means the end of that day in Lhasa. Must lie ahead of `now`, at most a year on.
 */
function expiresAt(now: () => Date) {
  return z
    .string({ error: 'expected a date (YYYY-MM-DD) or an ISO 8601 time with offset' })
    .max(40, 'expected a date (YYYY-MM-DD) or an ISO 8601 time with offset')
    .transform((s, ctx) => {
      const when = parseExpiry(s.trim());
      if (!when) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a date (YYYY-MM-DD) or an ISO 8601 time with offset',
        });
        return z.NEVER;
      }
      const at = now().getTime();
      if (when.getTime() <= at) {
        ctx.addIssue({ code: 'custom', message: 'in the past' });
        return z.NEVER;
      }
      if (when.getTime() > at + MAX_OPEN_DAYS * DAY_MS) {
        ctx.addIssue({ code: 'custom', message: `more than ${MAX_OPEN_DAYS} days ahead` });
        return z.NEVER;
      }
      return when;
    });
}

const ISO_INSTANT = z.iso.datetime({ offset: true });
const DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;

/** An ISO instant with offset, or a calendar date as the end of that day in Lhasa; else null. */
export function parseExpiry(s: string): Date | null {
  if (ISO_INSTANT.safeParse(s).success) return new Date(s);
  const m = DATE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const end = Date.UTC(y, mo - 1, d, 23, 59, 59, 999) - LHASA_OFFSET_MS;
  const check = new Date(end + LHASA_OFFSET_MS);
  // 2025-02-30 is not a date (Date.UTC would roll it over into March).
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return null;
  return new Date(end);
}

/** The fields of a posting, validated against `now` (for `expiresAt`). */
export function jobFields(now: () => Date) {
  return {
    title: bilingual(LIMITS.title, false),
    employer: text(LIMITS.employer),
    district,
    category,
    description: bilingual(LIMITS.description, true),
    contact: text(LIMITS.contact),
    expiresAt: expiresAt(now).optional(),
  };
}

/** `POST /api/admin/jobs` (DESIGN.md), and one row of a CSV import. */
export function jobBody(now: () => Date) {
  return z.object(jobFields(now)).strict();
}

/** `PATCH /api/admin/jobs/:id`: any of the fields; a title or description replaces it whole. */
export function jobPatch(now: () => Date) {
  return z
    .object(jobFields(now))
    .partial()
    .strict()
    .refine((p) => Object.values(p).some((v) => v !== undefined), 'nothing to change');
}

export type JobInput = z.output<ReturnType<typeof jobBody>>;
export type JobPatch = z.output<ReturnType<typeof jobPatch>>;

export const jobListQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  district: z.enum(DISTRICTS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{24}$/i, 'expected a job id')
    .optional(),
});
export type JobListQuery = z.output<typeof jobListQuery>;

/** The default `expiresAt` of a posting made at `now`. */
export function defaultExpiry(now: Date): Date {
  return new Date(now.getTime() + DEFAULT_OPEN_DAYS * DAY_MS);
}

/** zod issues as the API's `details` (`title.zh-CN`, `expiresAt`, …). */
export function issueDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
}
