import { RateLimitError, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Translator } from '../i18n.js';
import { lhasaDay, nextLhasaHour } from '../lib/lhasa-time.js';
import { persist } from '../lib/persist.js';
import type { QuietHours } from '../lib/quiet-hours.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { SendError, type Notification, type Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import {
  alertMessage,
  alertNotification,
  digestMessage,
  type DistrictName,
} from './alert.messages.js';
import {
  alertJobsFor,
  alertKeys,
  ALERT_ATTEMPTS,
  digestJobId,
  DIGEST_HOUR,
  type AlertJob,
} from './alert.queue.js';
import type { AlertRepo } from './alert.repo.js';
import { jobStatus } from './job.service.js';
import type { JobDoc } from './job.model.js';
import type { JobRepo } from './job.repo.js';
import type { Matcher } from './match.js';
import type { Subscription, SubscriptionRepo } from './subscription.repo.js';
import { keywordHits, postingTerms, termsOf } from './terms.js';

export interface AlertProcessorDeps {
  jobs: Pick<JobRepo, 'get' | 'raiseReach' | 'matched'>;
  alerts: AlertRepo;
  subscriptions: Pick<SubscriptionRepo, 'list'>;
  matcher: Pick<Matcher, 'match'>;
  people: Pick<PersonRepo, 'findById' | 'reach' | 'setReachable'>;
  senders: ReadonlyMap<ChannelId, Sender>;
  /** Channels in the order a pushed message prefers them (WeChat, Telegram, the web chat). */
  preference: readonly ChannelId[];
  redis: Redis;
  prefix: string;
  translator: Translator;
  district: DistrictName;
  quietHours: QuietHours;
  alertsPerDay: number;
  metrics: Pick<Metrics, 'outreachSends'>;
  log: Pick<Logger, 'warn'>;
  now: () => Date;
  /** Adds jobs to the alert queue (the match adds alerts; a held alert adds the digest). */
  enqueue(jobs: { data: AlertJob; id: string; delayMs?: number }[]): Promise<void>;
  /** Holds the whole queue (every worker) this long: the channel's budget is used up. */
  rateLimit(ms: number): Promise<void>;
}

/** What the running job offers its processor. */
export interface AlertJobControl {
  /** How many attempts were made before this one. */
  attempt: number;
  /** Puts the running job back for `ms` (quiet hours, the per-chat pace); never returns. */
  hold(ms: number): Promise<never>;
}

/** At most one background message a second to one chat (shared with outreach's key). */
const PER_CHAT_MS = 1000;
/** Alert jobs added per call. */
const BULK = 1000;

/**
 * The subscriptions that want a posting, checked against what is stored now (the index may lag
 * a failed update): keywords (today's vocabulary), district and category as the index matches.
 */
export function wantedBy(
  subs: readonly Subscription[],
  job: Pick<JobDoc, 'title' | 'description' | 'category' | 'district'>,
): { sub: Subscription; terms: string[] }[] {
  const terms = postingTerms({
    title: job.title,
    description: job.description,
    category: job.category ?? null,
  });
  const have = new Set(terms);
  const category = job.category ?? null;
  return subs
    .filter(
      (s) =>
        (s.district === null || s.district === job.district) &&
        (s.category === null || s.category === category) &&
        (s.keywords.length === 0 || termsOf(s.keywords).some((t) => have.has(t))),
    )
    .map((sub) => ({ sub, terms }));
}

export type AlertOutcome = 'sent' | 'held' | 'skipped' | 'done' | 'unreachable' | number;

/** The alert queue's processor: matching a posting, one person's alert, one person's digest. */
export function createAlertProcessor(deps: AlertProcessorDeps) {
  const keys = alertKeys(deps.prefix);
  const t = deps.translator.t.bind(deps.translator);
  const count = (channel: ChannelId, outcome: string) =>
    deps.metrics.outreachSends.inc({ channel, outcome: `alert_${outcome}` });

  /**
   * A posting against every subscription: one alert job per person matched (the job's record,
   * written when it runs, keeps anyone from being told twice).
   */
  async function match(jobId: string): Promise<AlertOutcome> {
    const job = await deps.jobs.get(jobId);
    if (!job || jobStatus(job, deps.now()) !== 'open') return 'skipped';
    const matches = await deps.matcher.match({
      title: job.title,
      description: job.description,
      category: job.category ?? null,
      district: job.district,
    });
    for (let i = 0; i < matches.length; i += BULK)
      await deps.enqueue(alertJobsFor(jobId, matches.slice(i, i + BULK)));
    await deps.jobs.matched(jobId, job.updatedAt);
    return matches.length;
  }

  /** Quiet hours hold alerts and digests; then outreach's room on the channel this second. */
  async function waitForRoom(sender: Sender, ctl: AlertJobControl): Promise<void> {
    const quiet = deps.quietHours.msUntilEnd(deps.now());
    if (quiet > 0) await ctl.hold(quiet);
    const busy = (await sender.busy?.()) ?? 0;
    if (busy > 0) {
      await deps.rateLimit(busy);
      throw new RateLimitError();
    }
  }

  async function pace(channel: ChannelId, chatId: string, ctl: AlertJobControl): Promise<void> {
    const key = `${deps.prefix}out:chat:${channel}:${chatId}`;
    if ((await deps.redis.set(key, '1', 'PX', PER_CHAT_MS, 'NX')) !== 'OK')
      await ctl.hold(Math.max(50, await deps.redis.pttl(key)));
  }

  /**
   * Sends to the chat (a template where free text may not go now); 'sent' / 'template', or
   * the failure's effect on the job (rate limit, give up, retry).
   */
  async function deliver(
    to: { channel: ChannelId; chatId: string },
    sender: Sender,
    message: OutgoingMessage,
    notification: Notification,
  ): Promise<'sent' | 'template' | 'skipped'> {
    try {
      await sender.send(to.chatId, [message], { maxWaitMs: 2000, background: true });
      return 'sent';
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError('transient', String(err));
      if (e.kind === 'windowClosed') {
        if (!sender.sendNotification) return 'skipped';
        await sender.sendNotification(to.chatId, notification);
        return 'template';
      }
      if (e.kind === 'rateLimited') {
        await deps.rateLimit(e.retryAfterMs ?? 1000);
        throw new RateLimitError();
      }
      if (e.kind === 'blocked') {
        await deps.people.setReachable(to.channel, to.chatId, false, deps.now());
        throw new UnrecoverableError('blocked');
      }
      if (e.kind === 'rejected') throw new UnrecoverableError(`rejected: ${e.message}`);
      throw e;
    }
  }

  /** Where the person is reached, and in which language; null when nowhere. */
  async function target(personId: string) {
    const person = await deps.people.findById(personId);
    if (!person) return null;
    const to = await deps.people.reach(personId, deps.preference);
    const sender = to && deps.senders.get(to.channel);
    if (!to || !sender) return null;
    const lang: Lang = person.language ?? 'zh-CN';
    return { to, sender, lang };
  }

  async function countReach(jobId: string, n = 1): Promise<void> {
    const total = await deps.redis.incrby(keys.reach(jobId), n);
    await deps.jobs.raiseReach(jobId, 'alerted', total);
  }

  async function holdForDigest(jobId: string, personId: string): Promise<'held'> {
    await deps.alerts.finish(jobId, personId, 'digest', deps.now());
    const at = nextLhasaHour(deps.now(), DIGEST_HOUR);
    await deps.enqueue([
      {
        id: digestJobId(personId, lhasaDay(at)),
        data: { kind: 'digest', personId },
        delayMs: Math.max(0, at.getTime() - deps.now().getTime()),
      },
    ]);
    return 'held';
  }

  async function alert(data: Extract<AlertJob, { kind: 'alert' }>, ctl: AlertJobControl) {
    const { jobId, personId } = data;
    const where = await target(personId);
    if (!where) return 'unreachable';
    await waitForRoom(where.sender, ctl);
    const record = await deps.alerts.claim({
      jobId,
      personId,
      subscriptionId: data.subscriptionId,
      at: deps.now(),
    });
    if (!record) return 'done'; // sent already, held for the digest, or skipped
    const job = await deps.jobs.get(jobId);
    // Which of the person's subscriptions (as stored now) want this posting: none when they
    // unsubscribed since the match — also if the index still had them (its update failed).
    const subs = await deps.subscriptions.list(personId);
    const wanted = job ? wantedBy(subs, job) : [];
    if (!job || jobStatus(job, deps.now()) !== 'open' || wanted.length === 0) {
      await deps.alerts.finish(jobId, personId, 'skipped', deps.now());
      return 'skipped';
    }
    if (data.digest) return holdForDigest(jobId, personId);
    // The day's allowance (a set of postings: a retry of this one does not count twice).
    const dayKey = keys.day(personId, lhasaDay(deps.now()));
    const counted = await deps.redis
      .multi()
      .sadd(dayKey, jobId)
      .scard(dayKey)
      .expire(dayKey, 2 * 86_400)
      .exec();
    const n = Number(counted?.[1]?.[1] ?? 0);
    if (n > deps.alertsPerDay) {
      await deps.redis.srem(dayKey, jobId);
      return holdForDigest(jobId, personId);
    }
    await pace(where.to.channel, where.to.chatId, ctl);
    const sub = wanted.find((w) => w.sub.id === record.subscriptionId) ?? wanted[0]!;
    const because = keywordHits(sub.sub.keywords, sub.terms);
    try {
      const via = await deliver(
        where.to,
        where.sender,
        alertMessage(t, job, where.lang, where.to.channel, because, deps.district),
        alertNotification(t, job, where.lang),
      );
      if (via === 'skipped') {
        await deps.alerts.finish(jobId, personId, 'skipped', deps.now());
        count(where.to.channel, 'skipped');
        return 'skipped';
      }
      // Only a crash before this write sends it twice (the retry finds it `sending`): a
      // database away now is waited out, not met by sending again.
      await persist(() => deps.alerts.finish(jobId, personId, 'sent', deps.now(), via));
      count(where.to.channel, 'sent');
      await countReach(jobId);
      return 'sent';
    } catch (err) {
      const last = ctl.attempt + 1 >= ALERT_ATTEMPTS;
      if (err instanceof UnrecoverableError || last) {
        await deps.alerts.finish(jobId, personId, 'skipped', deps.now());
        const blocked = err instanceof UnrecoverableError && err.message === 'blocked';
        count(where.to.channel, blocked ? 'skipped' : 'failed');
      }
      throw err;
    }
  }

  async function digest(personId: string, ctl: AlertJobControl): Promise<AlertOutcome> {
    const where = await target(personId);
    const held = await deps.alerts.held(personId);
    if (held.length === 0) return 'done';
    if (!where) {
      for (const h of held) await deps.alerts.finish(h.jobId, personId, 'skipped', deps.now());
      return 'unreachable';
    }
    await waitForRoom(where.sender, ctl);
    const subs = await deps.subscriptions.list(personId);
    const open = [];
    for (const h of held) {
      const job = await deps.jobs.get(h.jobId);
      // Still open, and still wanted by a subscription the person has now.
      if (job && jobStatus(job, deps.now()) === 'open' && wantedBy(subs, job).length > 0)
        open.push(job);
      else await deps.alerts.finish(h.jobId, personId, 'skipped', deps.now());
    }
    if (open.length === 0) return 'skipped';
    await pace(where.to.channel, where.to.chatId, ctl);
    const via = await deliver(
      where.to,
      where.sender,
      digestMessage(t, open, where.lang, where.to.channel, deps.district),
      {
        lang: where.lang,
        title: t(where.lang, 'alerts:template.digest', { n: open.length }),
        summary: t(where.lang, 'alerts:template.summary'),
      },
    );
    const state = via === 'skipped' ? 'skipped' : 'sent';
    for (const job of open) {
      await persist(() => deps.alerts.finish(String(job._id), personId, state, deps.now(), via));
      if (state === 'sent') await countReach(String(job._id));
    }
    count(where.to.channel, state);
    return state;
  }

  return async (data: AlertJob, ctl: AlertJobControl): Promise<AlertOutcome> => {
    switch (data.kind) {
      case 'match':
        return match(data.jobId);
      case 'alert':
        return alert(data, ctl);
      case 'digest':
        return digest(data.personId, ctl);
    }
  };
}
