import type { Translator } from '../i18n.js';
import { lhasaDay } from '../lib/lhasa-time.js';
import { splitText } from '../lib/split-text.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { Notification } from '../messaging/send.js';
import type { JobDoc } from './job.model.js';

/** What a message about a posting shows of it. */
export type PostingLines = Pick<
  JobDoc,
  'title' | 'employer' | 'district' | 'description' | 'contact' | 'expiresAt'
>;

/** The Tibetan name of a glossary district (Chinese name → Tibetan), for Tibetan frames. */
export type DistrictName = (zh: string, lang: Lang) => string;

/** The glossary's districts as a DistrictName (a name it lacks stays as it is). */
export function districtNamer(districts: readonly { zh: string; bo: string }[]): DistrictName {
  const bo = new Map(districts.map((d) => [d.zh, d.bo]));
  return (zh, lang) => (lang === 'bo' ? (bo.get(zh) ?? zh) : zh);
}

/** Longest description an alert carries (the rest is for the employer to tell). */
const DESCRIPTION_MAX = 240;

/** A posting in the person's language: Tibetan text when given, else the Chinese details in a Tibetan frame. */
export function postingText(
  t: Translator['t'],
  job: PostingLines,
  lang: Lang,
  district: DistrictName,
): string {
  const title = pick(job.title, lang);
  const description = pick(job.description, lang);
  const cut =
    description.length > DESCRIPTION_MAX
      ? `${(splitText(description, DESCRIPTION_MAX)[0] ?? '').trim()}…`
      : description;
  const lines = [
    t(lang, 'alerts:posting.title', { value: title }),
    t(lang, 'alerts:posting.employer', { value: job.employer }),
    t(lang, 'alerts:posting.district', { value: district(job.district, lang) }),
    cut,
    t(lang, 'alerts:posting.contact', { value: job.contact }),
    t(lang, 'alerts:posting.until', { value: lhasaDay(job.expiresAt) }),
  ];
  // A Tibetan reader is told the details are in Chinese (never a machine translation of them).
  if (lang === 'bo' && !(job.title.bo && job.description.bo))
    lines.push(t(lang, 'alerts:posting.chineseDetails'));
  return lines.filter((l) => l.length > 0).join('\n');
}

/** One new posting for one person: the posting, why it came, and (in the notice) how to stop. */
export function alertMessage(
  t: Translator['t'],
  job: PostingLines,
  lang: Lang,
  channel: ChannelId,
  keywords: readonly string[],
  district: DistrictName,
): OutgoingMessage {
  const because =
    keywords.length > 0
      ? `\n${t(lang, 'alerts:alert.because', { value: keywords.join(lang === 'bo' ? '། ' : '、') })}`
      : '';
  return {
    text: `${t(lang, 'alerts:alert.head')}\n${postingText(t, job, lang, district)}${because}`,
    lang,
    notice: t(lang, `alerts:notice.${channel}`),
  };
}

/** WeChat outside the 48-hour window: a template saying a posting waits, and how to see it. */
export function alertNotification(
  t: Translator['t'],
  job: Pick<JobDoc, 'title'>,
  lang: Lang,
): Notification {
  return {
    lang,
    title: t(lang, 'alerts:template.title', { value: pick(job.title, lang) }),
    summary: t(lang, 'alerts:template.summary'),
  };
}

/** The daily digest: the postings held for the person, shortest form, with how to stop. */
export function digestMessage(
  t: Translator['t'],
  jobs: readonly PostingLines[],
  lang: Lang,
  channel: ChannelId,
  district: DistrictName,
): OutgoingMessage {
  const shown = jobs.slice(0, DIGEST_MAX);
  const lines = shown.map((job, i) =>
    t(lang, 'alerts:digest.item', {
      n: i + 1,
      title: pick(job.title, lang),
      employer: job.employer,
      district: district(job.district, lang),
      contact: job.contact,
    }),
  );
  if (jobs.length > shown.length)
    lines.push(t(lang, 'alerts:digest.more', { n: jobs.length - shown.length }));
  return {
    text: `${t(lang, 'alerts:digest.head', { n: jobs.length })}\n\n${lines.join('\n\n')}`,
    lang,
    notice: t(lang, `alerts:notice.${channel}`),
  };
}

/** Postings one digest lists (the rest: "recommend jobs" shows them). */
export const DIGEST_MAX = 10;

/** The posting's text in the person's language when it has one, else the Chinese. */
export function pick(text: { 'zh-CN': string; bo?: string | undefined }, lang: Lang): string {
  return lang === 'bo' && text.bo ? text.bo : text['zh-CN'];
}
