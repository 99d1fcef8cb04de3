import { DelayedError, RateLimitError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Translator } from '../i18n.js';
import type { QuietHours } from '../lib/quiet-hours.js';
import { persist } from '../lib/persist.js';
import type { ChannelId } from '../messaging/inbound.js';
import { isRetryable, SendError, type Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import type { CampaignRepo } from './campaign.repo.js';
import { outreachMessages, outreachNotification, type CampaignContent } from './compose.js';
import type { SendRate } from './rate.js';
import { quietFlagKey, SEND_ATTEMPTS, type SendJobData } from './queues.js';

export interface SendDeps {
  channel: ChannelId;
  sender: Sender;
  campaigns: CampaignRepo;
  people: Pick<PersonRepo, 'findById' | 'setReachable'>;
  redis: Redis;
  prefix: string;
  t: Translator['t'];
  quietHours: QuietHours;
  metrics: Metrics;
  log: Logger;
  publicUrl?: string | undefined;
  now: () => Date;
  rate: Pick<SendRate, 'record'>;
  /** Hold the whole queue (every worker of it) this long: Telegram's 429, quiet hours. */
  rateLimit(ms: number): Promise<void>;
}

/** At most one outreach message a second to one chat (Telegram's per-chat limit), across workers. */
const PER_CHAT_MS = 1000;

/**
 * One person's copy of one campaign. Order: quiet hours → the per-chat pace → claim the
 * delivery record (`sending`) → opt-out → send → record `sent`. A crash before the channel
 * accepts the message resends nothing twice; only a crash between the channel accepting it and
 * the `sent` write can: the retry finds the record `sending`, sends again and counts it.
 */
export function createSendProcessor(deps: SendDeps) {
  const content = campaignCache(deps.campaigns);
  const { channel, metrics } = deps;
  const count = (outcome: string) => metrics.outreachSends.inc({ channel, outcome });

  return async (job: Job<SendJobData>, token?: string): Promise<string> => {
    const { campaignId, personId } = job.data;
    const now = deps.now();
    const quiet = deps.quietHours.msUntilEnd(now);
    if (quiet > 0) {
      // The admin pages show sending campaigns as `paused` while this flag lives.
      await deps.redis.set(quietFlagKey(deps.prefix), '1', 'PX', quiet);
      await deps.rateLimit(quiet);
      throw new RateLimitError();
    }
    // Live replies come first: when they use the channel's room this second, outreach waits.
    const busy = (await deps.sender.busy?.()) ?? 0;
    if (busy > 0) {
      await deps.rateLimit(busy);
      throw new RateLimitError();
    }
    const claimed = await deps.campaigns.claim(campaignId, personId, now);
    if (!claimed) return 'done'; // sent already, given up, or the campaign was cancelled
    if (claimed.resumed) metrics.outreachResent.inc({ channel });

    // Per-chat pace: a second campaign's copy to the same chat waits its second.
    const paceKey = `${deps.prefix}out:chat:${channel}:${claimed.address}`;
    if ((await deps.redis.set(paceKey, '1', 'PX', PER_CHAT_MS, 'NX')) !== 'OK') {
      await deps.campaigns.release(campaignId, personId, now);
      const wait = Math.max(50, await deps.redis.pttl(paceKey));
      if (token) {
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      throw new Error('per-chat pace: try again');
    }

    const person = await deps.people.findById(personId);
    if (!person || person.outreachOptOut) {
      await deps.campaigns.finish(campaignId, personId, 'skipped', now, { reason: 'opted-out' });
      count('skipped');
      return 'skipped';
    }
    const campaign = await content(campaignId);
    if (!campaign) {
      await deps.campaigns.finish(campaignId, personId, 'skipped', now, { reason: 'no-campaign' });
      return 'skipped';
    }
    // A retry after a partial send keeps the language(s) of the first try: the parts counted
    // are of that message list (a language chosen meanwhile would change it).
    const lang = job.data.partsSent ? (job.data.lang ?? null) : (person.language ?? claimed.lang);
    const address = claimed.address;
    let via: 'template' | undefined;
    try {
      // Both languages (no language known yet) are two messages to one chat: the second may
      // meet the channel's per-chat limit, which is waited out here rather than pausing the queue.
      await deps.sender.send(address, outreachMessages(deps.t, campaign, lang, channel), {
        maxWaitMs: 2000,
        background: true,
        skipParts: job.data.partsSent ?? 0,
      });
    } catch (err) {
      if (!canUseTemplate(err)) return failed(err);
      // WeChat outside the 48-hour window: the fixed-field template, linking to the full text.
      try {
        await deps.sender.sendNotification!(
          address,
          outreachNotification(deps.t, campaign, lang, deps.publicUrl),
        );
        via = 'template';
      } catch (templateErr) {
        return failed(templateErr);
      }
    }
    // Only a crash before this write can send the copy twice (the retry finds it `sending`):
    // a database away now is waited out, not met by sending again.
    const sentAt = deps.now();
    await persist(() =>
      deps.campaigns.finish(campaignId, personId, 'sent', sentAt, via ? { via } : {}),
    );
    count('sent');
    await deps.rate.record(campaignId, sentAt).catch(() => undefined);
    return 'sent';

    function canUseTemplate(err: unknown): boolean {
      return (
        err instanceof SendError &&
        err.kind === 'windowClosed' &&
        !!deps.sender.sendNotification &&
        !!deps.publicUrl
      );
    }

    async function failed(err: unknown): Promise<string> {
      const e = err instanceof SendError ? err : new SendError('transient', String(err));
      const at = deps.now();
      // What went out stays out: the next try goes on from the part that failed.
      if (isRetryable(e) && e.sent > (job.data.partsSent ?? 0))
        await job.updateData({ ...job.data, partsSent: e.sent, lang });
      switch (e.kind) {
        case 'rateLimited':
          await deps.campaigns.release(campaignId, personId, at);
          count('rate_limited');
          await deps.rateLimit(e.retryAfterMs ?? 1000);
          throw new RateLimitError();
        case 'blocked':
          await deps.campaigns.finish(campaignId, personId, 'skipped', at, { reason: 'blocked' });
          await deps.people.setReachable(channel, address, false, at);
          count('skipped');
          throw new UnrecoverableError('blocked');
        case 'windowClosed':
          await deps.campaigns.finish(campaignId, personId, 'skipped', at, {
            reason: 'window-closed',
          });
          count('skipped');
          return 'skipped';
        case 'rejected':
          await deps.campaigns.finish(campaignId, personId, 'failed', at, { reason: 'rejected' });
          count('failed');
          throw new UnrecoverableError(`rejected: ${e.message}`);
        case 'transient':
          if (job.attemptsMade + 1 >= (job.opts.attempts ?? SEND_ATTEMPTS)) {
            await deps.campaigns.finish(campaignId, personId, 'failed', at, { reason: 'retries' });
            count('failed');
          } else {
            await deps.campaigns.release(campaignId, personId, at);
            count('retried');
          }
          throw e;
      }
    }
  };
}

/** Campaign texts, read once per campaign and process (they never change after creation). */
function campaignCache(campaigns: CampaignRepo) {
  const cache = new Map<string, Promise<CampaignContent | null>>();
  return (id: string) => {
    let hit = cache.get(id);
    if (!hit) {
      hit = campaigns.get(id).then((c) => (c ? { id, title: c.title, message: c.message } : null));
      void hit.catch(() => cache.delete(id));
      cache.set(id, hit);
      if (cache.size > 100) cache.delete(cache.keys().next().value!);
    }
    return hit;
  };
}
