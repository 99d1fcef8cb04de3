import type { Translator } from '../i18n.js';
import type { Lang } from '../messaging/lang.js';
import type { ProfileService, ProfileView } from './profile.service.js';

export interface MyDataSources {
  profiles: Pick<ProfileService, 'view'>;
  channels(personId: string): Promise<string[]>;
  /** Lines in the conversation log (kept `retentionDays`, then deleted). */
  messageCount(personId: string): Promise<number>;
  retentionDays: number;
  /** Chinese district name → Tibetan (the glossary). */
  districtsBo: ReadonlyMap<string, string>;
  /** Other features' lines about what they hold of the person (job-alert subscriptions). */
  more?: ((personId: string, lang: Lang) => Promise<string[]>)[];
}

/** `/mydata`: everything held about the person, in their language (sensitive values opened). */
export async function renderMyData(
  src: MyDataSources,
  tr: Translator,
  personId: string,
  lang: Lang,
): Promise<string> {
  const t = (key: string, params?: Record<string, string | number>) => tr.t(lang, key, params);
  const view = await src.profiles.view(personId);
  if (!view) return t('privacy:mydata.nothing');
  const [channels, messages] = await Promise.all([
    src.channels(personId),
    src.messageCount(personId),
  ]);
  const sep = lang === 'bo' ? '། ' : '、';
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const consent = (c: ProfileView['consent']['profile']) =>
    c
      ? t('privacy:mydata.consentGiven', { version: c.version, date: day(c.at) })
      : t('privacy:mydata.consentNone');
  const line = (key: string, value: string) => t(`privacy:mydata.${key}`, { value });
  const lines = [t('privacy:mydata.head')];
  if (view.language) lines.push(line('language', t(`privacy:lang.${view.language}`)));
  if (channels.length > 0)
    lines.push(line('channels', channels.map((c) => t(`privacy:channel.${c}`)).join(sep)));
  lines.push(line('since', day(view.createdAt)));
  lines.push(line('consent', consent(view.consent.profile)));
  if (view.consent.sensitive || Object.keys(view.sensitive).length > 0)
    lines.push(line('sensitiveConsent', consent(view.consent.sensitive)));
  if (view.district)
    lines.push(
      line(
        'district',
        lang === 'bo' ? (src.districtsBo.get(view.district) ?? view.district) : view.district,
      ),
    );
  const p = view.profile;
  if (p.ageGroup) lines.push(line('age', t(`intake:value.age.${p.ageGroup}`)));
  if (view.categories.length > 0)
    lines.push(
      line('categories', view.categories.map((c) => t(`intake:value.category.${c}`)).join(sep)),
    );
  for (const f of ['disability', 'health'] as const) {
    if (!(f in view.sensitive)) continue;
    const v = view.sensitive[f];
    lines.push(line(f, v ? t(`intake:value.${f}.${v}`) : t('privacy:mydata.unreadable')));
  }
  if (p.skills) lines.push(line('skills', p.skills));
  if (p.wantedWork) lines.push(line('work', p.wantedWork));
  if (p.languages) lines.push(line('languages', t(`intake:value.languages.${p.languages}`)));
  if (p.contact) lines.push(line('contact', t(`intake:value.contact.${p.contact}`)));
  if (view.assessment)
    lines.push(
      line('assessment', view.assessment.types.map((x) => t(`privacy:type.${x}`)).join(sep)),
    );
  if (view.plan.steps > 0)
    lines.push(t('privacy:mydata.plan', { count: view.plan.steps, done: view.plan.done }));
  if (view.employment)
    lines.push(
      line(
        'employment',
        [day(view.employment.at), view.employment.employer, view.employment.work]
          .filter(Boolean)
          .join(sep),
      ),
    );
  if (view.consent.profile)
    lines.push(
      line('intake', t(p.intakeDoneAt ? 'privacy:mydata.intakeDone' : 'privacy:mydata.intakeOpen')),
    );
  lines.push(
    line(
      'outreach',
      t(view.outreachOptOut ? 'privacy:mydata.outreachOff' : 'privacy:mydata.outreachOn'),
    ),
  );
  if (view.counsellorId) lines.push(t('privacy:mydata.counsellor'));
  for (const more of src.more ?? []) lines.push(...(await more(personId, lang)));
  lines.push(t('privacy:mydata.messages', { count: messages, days: src.retentionDays }));
  lines.push('', t('privacy:mydata.footer'));
  return lines.join('\n');
}

/**
 * A case's consented profile (`HandoffService.profileOf`, the `profile` of `handoff.requested`)
 * as lines in the counsellor's language, for the console's summary.
 */
export function sharedProfileLines(
  tr: Translator,
  lang: Lang,
  profile: Readonly<Record<string, unknown>>,
  districtsBo: ReadonlyMap<string, string>,
): string[] {
  const t = (key: string, params?: Record<string, string | number>) => tr.t(lang, key, params);
  const sep = lang === 'bo' ? '། ' : '、';
  const str = (k: string) => (typeof profile[k] === 'string' ? profile[k] : undefined);
  const line = (key: string, value: string) => t(`privacy:mydata.${key}`, { value });
  const out: string[] = [];
  const district = str('district');
  if (district)
    out.push(line('district', lang === 'bo' ? (districtsBo.get(district) ?? district) : district));
  const age = str('ageGroup');
  if (age) out.push(line('age', t(`intake:value.age.${age}`)));
  const categories = Array.isArray(profile.categories) ? (profile.categories as string[]) : [];
  if (categories.length > 0)
    out.push(line('categories', categories.map((c) => t(`intake:value.category.${c}`)).join(sep)));
  for (const f of ['disability', 'health'] as const) {
    const v = str(f);
    if (v) out.push(line(f, t(`intake:value.${f}.${v}`)));
  }
  const skills = str('skills');
  if (skills) out.push(line('skills', skills));
  const work = str('wantedWork');
  if (work) out.push(line('work', work));
  const languages = str('languages');
  if (languages) out.push(line('languages', t(`intake:value.languages.${languages}`)));
  const contact = str('contact');
  if (contact) out.push(line('contact', t(`intake:value.contact.${contact}`)));
  const assessment = profile.assessment as { types?: unknown } | undefined;
  if (Array.isArray(assessment?.types) && assessment.types.length > 0)
    out.push(
      line(
        'assessment',
        (assessment.types as string[]).map((x) => t(`privacy:type.${x}`)).join(sep),
      ),
    );
  return out;
}
