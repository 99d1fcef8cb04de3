import type { JobsAction } from '../engine/flow.schema.js';
import type { Translator } from '../i18n.js';
import { RIASEC, type RiasecType } from '../journey/assessment.js';
import type { ProfileService } from '../journey/profile.service.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { postingText, type DistrictName } from './alert.messages.js';
import type { JobRepo } from './job.repo.js';
import type { Matcher } from './match.js';
import { basisOf, recommend, RECOMMEND_MAX, type Reason } from './recommend.js';
import {
  MAX_SUBSCRIPTIONS_PER_PERSON,
  type Subscription,
  type SubscriptionRepo,
} from './subscription.repo.js';
import { districtIn, districtOf, parseKeywords, workKeywordsOf, workNamesIn } from './terms.js';

/** What the chat side of job alerts and recommendations needs (the composition root gives it). */
export interface JobsTurnDeps {
  subscriptions: SubscriptionRepo;
  matcher: Pick<Matcher, 'add' | 'remove'>;
  jobs: Pick<JobRepo, 'list' | 'addReach'>;
  profiles: Pick<ProfileService, 'view'>;
  translator: Translator;
  district: DistrictName;
  alertsPerDay: number;
}

export interface JobsEffectContext {
  personId: string;
  channel: ChannelId;
  lang: Lang;
  now: Date;
  /** A command's arguments (`/subscribe 保安 司机`, `取消岗位订阅 2`). */
  args: string | undefined;
  /** Free text a flow kept for this effect (the keywords typed after "订阅岗位提醒"). */
  draft?: Record<string, string> | undefined;
}

/** A word of what is not wanted (不要, 别, 除了, 不在; མི་དགོས, མ་གཏོགས). */
const NEGATED = /不要|不想|不在|不做|不当|别|除了|除去|མི་དགོས|མ་གཏོགས|མི་འདོད/u;

/** A question rather than kinds of work (怎么, 吗, ?, ཇི་ལྟར, གང་འདྲ…). */
const QUESTION = /怎么|怎样|如何|什么|吗|？|\?|ཇི་ལྟར|གང་འདྲ|ག་འདྲ|ག་རེ|ངམ$|དམ$/u;

/** Words of subscribing, not kinds of work (typed after the keyword: 订阅岗位提醒, …བརྡ་ཐོ་མངགས). */
const NOT_WORK =
  /^(?:提醒|通知|订阅|岗位|工作|信息|消息|推送|一下|吧|啊|呢|謝謝|谢谢|མངགས|ལེན|ཐོབ|གཏོང|འདོད|དགོས|རོགས|ཞུ)$/u;

/** Postings read to pick recommendations from (the newest open ones). */
const CANDIDATES = 300;

export interface JobsEffectOutcome {
  text?: string;
  clearDraft?: boolean;
  /** The node's buttons that make no sense now (remove all, digest… with nothing subscribed). */
  drop?: string[];
}

/** What "my subscriptions" offers only when there is something subscribed. */
const ONLY_WITH_SUBSCRIPTIONS = ['all', 'digest', 'instant'];

/** Carries out one job-alert action; its text goes before the node's buttons. */
export async function jobsEffect(
  deps: JobsTurnDeps,
  ctx: JobsEffectContext,
  action: JobsAction,
): Promise<JobsEffectOutcome> {
  const t = (key: string, params?: Record<string, string | number>) =>
    deps.translator.t(ctx.lang, key, params);
  const telegram = ctx.channel === 'telegram';
  switch (action) {
    case 'subscribe':
      return { text: await subscribe(ctx.args ?? ctx.draft?.keywords ?? ''), clearDraft: true };
    case 'subscribe-wanted': {
      // The intake's answer is a sentence ("想找个保安或者门卫 司机也行"): the work it names.
      const wanted = (await deps.profiles.view(ctx.personId))?.profile.wantedWork ?? '';
      const work = workKeywordsOf(wanted);
      const district = districtIn(wanted)?.zh;
      const words = district && !work.includes(district) ? [...work, district] : work;
      return { text: await subscribe(words.join(' '), 'intake') };
    }
    case 'list': {
      const subs = await deps.subscriptions.list(ctx.personId);
      return subs.length > 0
        ? { text: list(subs) }
        : { text: list(subs), drop: ONLY_WITH_SUBSCRIPTIONS };
    }
    case 'unsubscribe':
      return { text: await unsubscribe() };
    case 'digest':
    case 'instant':
      return { text: await setMode(action) };
    case 'recommend':
      return { text: await recommendations() };
  }

  async function subscribe(text: string, source: 'chat' | 'intake' = 'chat'): Promise<string> {
    // "订阅岗位怎么弄" asks how: it is told, not subscribed to "怎么弄".
    if (QUESTION.test(text)) return t('alerts:subscribe.ask');
    const parsed = parseKeywords(text);
    // "订阅岗位提醒", "ལས་གནས་ཀྱི་བརྡ་ཐོ་མངགས" (a button's label typed): the words of subscribing
    // itself name no work.
    parsed.keywords = parsed.keywords
      .filter((k) => !NOT_WORK.test(k))
      // Words around the work ("帮厨都行", "最好在城关"): the kinds of work and the district it names.
      .flatMap((k) => {
        // "不要保安", "除了城关都行": what is not wanted is no keyword and no filter.
        if (NEGATED.test(k)) return [];
        if (districtOf(k)) return [k];
        const names = workNamesIn(k);
        if (names.length > 0) return names;
        return [districtIn(k)?.zh ?? k];
      });
    // A district among the keywords is the subscription's filter (保安 城关区).
    const districts = parsed.keywords.map((k) => districtOf(k));
    const district = districts.find((d) => d !== null) ?? null;
    const keywords = parsed.keywords.filter((_, i) => districts[i] === null);
    if (keywords.length === 0 && !district)
      return t(parsed.tooLong > 0 ? 'alerts:subscribe.tooLong' : 'alerts:subscribe.empty');
    const added = await deps.subscriptions.add({
      personId: ctx.personId,
      keywords,
      district,
      source,
      at: ctx.now,
    });
    if (!added.ok) {
      const key = {
        empty: 'alerts:subscribe.empty',
        'no-terms': 'alerts:subscribe.noTerms',
        district: 'alerts:subscribe.district',
        category: 'alerts:subscribe.noTerms',
        person: 'alerts:subscribe.empty',
        limit: 'alerts:subscribe.limit',
      }[added.reason];
      return t(key, { max: MAX_SUBSCRIPTIONS_PER_PERSON });
    }
    const sub = added.subscription;
    try {
      await deps.matcher.add(sub);
    } catch (err) {
      // Not in the index, not kept: the person's retry makes one subscription, not two.
      await deps.subscriptions.remove(ctx.personId, sub.id).catch(() => undefined);
      throw err;
    }
    const where = (d: string) => deps.district(d, ctx.lang);
    const lines = [
      sub.keywords.length > 0
        ? t('alerts:subscribe.done', {
            keywords: joinKeywords(sub.keywords, ctx.lang),
            where: sub.district
              ? t('alerts:subscribe.where', { district: where(sub.district) })
              : '',
            perDay: deps.alertsPerDay,
          })
        : t('alerts:subscribe.doneDistrict', {
            district: where(sub.district ?? ''),
            perDay: deps.alertsPerDay,
          }),
    ];
    const skipped = parsed.tooLong + parsed.tooMany;
    if (skipped > 0) lines.push(t('alerts:subscribe.skipped', { n: skipped }));
    lines.push(t(telegram ? 'alerts:subscribe.manageTelegram' : 'alerts:subscribe.manage'));
    return lines.join('\n');
  }

  function list(subs: readonly Subscription[]): string {
    if (subs.length === 0) return t('alerts:list.none');
    const lines = subs.map((s, i) =>
      t('alerts:list.item', {
        n: i + 1,
        keywords:
          s.keywords.length > 0 ? joinKeywords(s.keywords, ctx.lang) : t('alerts:list.anyWork'),
        where: s.district
          ? t('alerts:subscribe.where', { district: deps.district(s.district, ctx.lang) })
          : '',
        mode: s.mode === 'digest' ? t('alerts:list.digest') : '',
      }),
    );
    return [
      t('alerts:list.head'),
      ...lines,
      '',
      t(telegram ? 'alerts:list.howOneTelegram' : 'alerts:list.howOne'),
    ].join('\n');
  }

  async function unsubscribe(): Promise<string> {
    const args = ctx.args?.trim() ?? '';
    if (args.length === 0) {
      const removed = await deps.subscriptions.removeAll(ctx.personId);
      for (const sub of removed) await deps.matcher.remove(sub);
      return removed.length > 0
        ? t('alerts:unsubscribe.all', { n: removed.length })
        : t('alerts:unsubscribe.none');
    }
    // One by its number in the list (取消岗位订阅 2), or those naming a word (取消岗位订阅 保安).
    const subs = await deps.subscriptions.list(ctx.personId);
    const n = numberOf(args);
    const words = new Set(parseKeywords(args).keywords.map((k) => k.toLowerCase()));
    const chosen =
      n !== null
        ? subs.filter((_, i) => i === n - 1)
        : subs.filter((s) => s.keywords.some((k) => words.has(k.toLowerCase())));
    const removed: Subscription[] = [];
    for (const sub of chosen) {
      const gone = await deps.subscriptions.remove(ctx.personId, sub.id);
      if (gone) {
        await deps.matcher.remove(gone);
        removed.push(gone);
      }
    }
    if (removed.length === 0) return [t('alerts:unsubscribe.bad'), '', list(subs)].join('\n');
    const what = removed
      .map((r) =>
        r.keywords.length > 0
          ? joinKeywords(r.keywords, ctx.lang)
          : deps.district(r.district ?? '', ctx.lang),
      )
      .join(ctx.lang === 'bo' ? '། ' : '；');
    const left = subs.filter((s) => !removed.some((r) => r.id === s.id));
    return [t('alerts:unsubscribe.one', { keywords: what }), '', list(left)].join('\n');
  }

  async function setMode(mode: 'digest' | 'instant'): Promise<string> {
    const changed = await deps.subscriptions.setMode(ctx.personId, mode);
    if ((await deps.subscriptions.count(ctx.personId)) === 0) return t('alerts:mode.none');
    for (const before of changed) {
      await deps.matcher.remove(before);
      await deps.matcher.add({ ...before, mode });
    }
    return t(`alerts:mode.${mode}`);
  }

  async function recommendations(): Promise<string> {
    const [view, subs, postings] = await Promise.all([
      deps.profiles.view(ctx.personId),
      deps.subscriptions.list(ctx.personId),
      deps.jobs.list({ status: 'open' }, CANDIDATES, ctx.now),
    ]);
    if (postings.length === 0) return t('alerts:recommend.empty');
    const consented = !!view?.consent.profile;
    const basis = basisOf({
      wantedWork: consented ? view.profile.wantedWork : undefined,
      skills: consented ? view.profile.skills : undefined,
      district: consented ? view.district : null,
      types: consented ? view.assessment?.types.filter(isRiasec) : undefined,
      subscriptions: subs,
    });
    const known = basis.keywords.length + basis.types.length + basis.districts.length > 0;
    const picked = known
      ? recommend(basis, postings)
      : postings.slice(0, RECOMMEND_MAX).map((job) => ({ job, reasons: [] as Reason[], score: 0 }));
    if (picked.length === 0) return t('alerts:recommend.none');
    for (const { job } of picked) await deps.jobs.addReach(String(job._id), 'recommended');
    const items = picked.map(({ job, reasons }, i) =>
      t('alerts:recommend.item', {
        n: i + 1,
        posting: postingText(deps.translator.t.bind(deps.translator), job, ctx.lang, deps.district),
        reasons:
          reasons.length > 0
            ? reasons.map(reason).join(ctx.lang === 'bo' ? '། ' : '，')
            : t('alerts:recommend.newest'),
      }),
    );
    const head = t(known ? 'alerts:recommend.head' : 'alerts:recommend.noBasis');
    return [head, ...items].join('\n\n');
  }

  function reason(r: Reason): string {
    switch (r.kind) {
      case 'keyword':
        return t('alerts:recommend.keyword', { value: r.value });
      case 'district':
        return t('alerts:recommend.district', { value: deps.district(r.value, ctx.lang) });
      case 'type':
        return t('alerts:recommend.type', { value: typeName(deps.translator, ctx.lang, r.value) });
    }
  }
}

/** The short name of an assessment type: its result line up to the colon (zh) or shad (bo). */
function typeName(translator: Translator, lang: Lang, type: string): string {
  const line = translator.t(lang, `assess:result.type.${type}`);
  return (line.split(/[：:།]/u)[0] ?? line).trim();
}

function joinKeywords(keywords: readonly string[], lang: Lang): string {
  return keywords.join(lang === 'bo' ? '། ' : '、');
}

/** `2`, `２`, `༢` → 2; anything else (no argument, words) → null. */
function numberOf(args: string | undefined): number | null {
  const text = (args ?? '')
    .trim()
    .replace(/[０-９]/gu, (c) => String(c.charCodeAt(0) - 0xff10))
    .replace(/[༠-༩]/gu, (c) => String(c.charCodeAt(0) - 0x0f20));
  if (!/^[0-9]{1,3}$/u.test(text)) return null;
  return Number(text);
}

const isRiasec = (type: string): type is RiasecType => (RIASEC as readonly string[]).includes(type);
