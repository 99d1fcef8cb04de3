import { LHASA_OFFSET_MS } from '../lib/lhasa-time.js';
import type { Sealer } from '../lib/sealed.js';
import { statusOf, type LedgerPersonDoc, type LedgerStatus } from './ledger.queries.js';
import { toView } from './profile.service.js';

/** One person's ledger entry, as the admin API shows it (ids as strings, dates ISO 8601). */
export interface LedgerItem {
  id: string;
  language: string | null;
  channels: string[];
  createdAt: string;
  lastSeenAt: string;
  status: LedgerStatus;
  district: string | null;
  categories: string[];
  ageGroup: string | null;
  skills: string | null;
  wantedWork: string | null;
  languages: string | null;
  contact: string | null;
  intakeDoneAt: string | null;
  assessmentTypes: string[];
  employment: { at: string; employer: string | null; work: string | null } | null;
  counsellorId: string | null;
  outreachOptOut: boolean;
  consent: { profile: string | null; sensitive: string | null };
  /** Only on a sensitive read (admins): opened, null when no configured key opens it. */
  sensitive?: { disability: string | null; health: string | null };
}

const iso = (d: Date | null | undefined) => (d instanceof Date ? d.toISOString() : null);

/** The entry of a person; `sealer` only for a sensitive read (nothing is opened otherwise). */
export function ledgerItem(
  doc: LedgerPersonDoc,
  channels: string[],
  sensitive: { sealer: Sealer | null } | null,
): LedgerItem {
  const v = toView(doc, sensitive?.sealer ?? null);
  const p = v.profile;
  const job = doc.employment;
  return {
    id: v.personId,
    language: v.language,
    channels,
    createdAt: v.createdAt.toISOString(),
    lastSeenAt: v.lastSeenAt.toISOString(),
    status: statusOf(doc),
    district: v.district,
    categories: v.categories,
    ageGroup: p.ageGroup ?? null,
    skills: p.skills ?? null,
    wantedWork: p.wantedWork ?? null,
    languages: p.languages ?? null,
    contact: p.contact ?? null,
    intakeDoneAt: iso(p.intakeDoneAt),
    assessmentTypes: v.assessment?.types ?? [],
    employment:
      job?.at instanceof Date
        ? { at: job.at.toISOString(), employer: job.employer ?? null, work: job.work ?? null }
        : null,
    counsellorId: v.counsellorId,
    outreachOptOut: v.outreachOptOut,
    consent: { profile: iso(v.consent.profile?.at), sensitive: iso(v.consent.sensitive?.at) },
    ...(sensitive
      ? {
          sensitive: {
            disability: v.sensitive.disability ?? null,
            health: v.sensitive.health ?? null,
          },
        }
      : {}),
  };
}

/** The CSV's labels (Chinese, the office's language): statuses, languages, channels, categories. */
const LABEL: Readonly<Record<string, string>> = {
  new: '未同意登记',
  registered: '已同意登记',
  profiled: '已建档',
  placed: '已就业',
  'zh-CN': '中文',
  bo: '藏文',
  wechat: '微信',
  telegram: 'Telegram',
  web: '网页聊天',
  older: '大龄',
  graduate: '高校毕业生',
  'zero-employment-family': '零就业家庭',
  'long-unemployed': '长期失业',
  'low-income': '低收入家庭',
};
const label = (v: string) => (Object.hasOwn(LABEL, v) ? (LABEL[v] ?? v) : v);
const time = (isoTime: string | null) =>
  isoTime
    ? new Date(Date.parse(isoTime) + LHASA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')
    : '';
const list = (vs: string[]) => vs.map(label).join('、');

type Column = readonly [header: string, value: (i: LedgerItem) => string];

const COLUMNS: readonly Column[] = [
  ['编号', (i) => i.id],
  ['语言', (i) => (i.language ? label(i.language) : '')],
  ['渠道', (i) => list(i.channels)],
  ['首次联系时间', (i) => time(i.createdAt)],
  ['最近联系时间', (i) => time(i.lastSeenAt)],
  ['状态', (i) => label(i.status)],
  ['区县', (i) => i.district ?? ''],
  ['类别', (i) => list(i.categories)],
  ['年龄段', (i) => i.ageGroup ?? ''],
  ['技能', (i) => i.skills ?? ''],
  ['求职意向', (i) => i.wantedWork ?? ''],
  ['掌握语言', (i) => i.languages ?? ''],
  ['联系方式', (i) => i.contact ?? ''],
  ['建档时间', (i) => time(i.intakeDoneAt)],
  ['测评类型', (i) => i.assessmentTypes.join('')],
  ['就业登记时间', (i) => time(i.employment?.at ?? null)],
  ['就业单位', (i) => i.employment?.employer ?? ''],
  ['就业岗位', (i) => i.employment?.work ?? ''],
  ['就业指导员', (i) => i.counsellorId ?? ''],
  ['退订推送', (i) => (i.outreachOptOut ? '是' : '否')],
  ['同意登记时间', (i) => time(i.consent.profile)],
  ['同意敏感信息时间', (i) => time(i.consent.sensitive)],
];
const SENSITIVE_COLUMNS: readonly Column[] = [
  ['残疾情况', (i) => i.sensitive?.disability ?? ''],
  ['健康状况', (i) => i.sensitive?.health ?? ''],
];

/**
 * The ledger as CSV for Excel: UTF-8 with a BOM (the header carries it), CRLF, every cell
 * quoted, Lhasa time. Written a page at a time, so an export never holds more than one page.
 */
export function ledgerCsv(sensitive: boolean) {
  const columns = sensitive ? [...COLUMNS, ...SENSITIVE_COLUMNS] : COLUMNS;
  return {
    header: `\uFEFF${columns.map(([h]) => cell(h)).join(',')}\r\n`,
    rows: (items: LedgerItem[]) =>
      items.map((i) => `${columns.map(([, value]) => cell(value(i))).join(',')}\r\n`).join(''),
  };
}

/** Quoted; a leading = + - @ (or tab, CR) is defused so a spreadsheet never runs it as a formula. */
export function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replaceAll('"', '""')}"`;
}
