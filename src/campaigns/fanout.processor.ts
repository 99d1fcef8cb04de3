import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { ChannelId } from '../messaging/inbound.js';
import type { AudienceReader } from './audience.js';
import { COUNT_COST_FACTOR, type CampaignRepo } from './campaign.repo.js';
import { SEND_ATTEMPTS, SEND_BACKOFF_MS, sendJobId, type SendJobData } from './queues.js';

export interface FanoutDeps {
  campaigns: CampaignRepo;
  audience: AudienceReader;
  /** The send queue of each channel this deployment can push on. */
  sendQueues: ReadonlyMap<ChannelId, Queue<SendJobData>>;
  log: Logger;
  now: () => Date;
  /** People per page (one query for people, one for identities, one insert, one addBulk). */
  pageSize?: number;
  /** How often a sending campaign is checked for completion. */
  watchEveryMs?: number;
}

export interface CampaignJobData {
  campaignId: string;
}

/** Bulk-add options of a send job: retried with backoff, removed once done (the record stays). */
export const sendJobOpts = (campaignId: string, personId: string) => ({
  jobId: sendJobId(campaignId, personId),
  attempts: SEND_ATTEMPTS,
  backoff: { type: 'exponential', delay: SEND_BACKOFF_MS },
  removeOnComplete: true,
  removeOnFail: 1000,
});

/**
 * One job per campaign (`campaign-<id>`, delayed to `sendAt`). It makes the campaign `sending`
 * and pages its audience out of MongoDB — delivery records first, then one send job per person
 * with addBulk; the page cursor is saved after each page, so a fan-out killed mid-way goes on
 * where it stopped. Then the same job comes back every few seconds: it completes the campaign
 * when no record is left unsent, and re-enqueues records whose jobs were lost (a Redis that lost
 * its last writes) when the send queues are idle.
 */
export function createCampaignProcessor(deps: FanoutDeps) {
  const pageSize = deps.pageSize ?? 1000;
  const watchEveryMs = deps.watchEveryMs ?? 2000;

  async function enqueue(
    campaignId: string,
    rows: { personId: Types.ObjectId; channel: ChannelId }[],
  ) {
    const byChannel = new Map<ChannelId, { name: string; data: SendJobData; opts: object }[]>();
    for (const r of rows) {
      const personId = r.personId.toHexString();
      const list = byChannel.get(r.channel) ?? [];
      list.push({
        name: 'send',
        data: { campaignId, personId },
        opts: sendJobOpts(campaignId, personId),
      });
      byChannel.set(r.channel, list);
    }
    for (const [channel, jobs] of byChannel) {
      const queue = deps.sendQueues.get(channel);
      if (queue) await queue.addBulk(jobs);
    }
  }

  /** Fan-out, resumed from the saved cursor; false when the campaign stopped meanwhile. */
  async function fanout(campaignId: string): Promise<boolean> {
    const campaign = await deps.campaigns.get(campaignId);
    if (!campaign || campaign.status !== 'sending') return false;
    if (campaign.fanoutDone) return true;
    const after = campaign.fanoutAfter ?? null;
    const channels = [...deps.sendQueues.keys()];
    for await (const page of deps.audience.pages(campaign.audience, channels, after, pageSize)) {
      await deps.campaigns.addDeliveries(campaignId, page.recipients, deps.now());
      await enqueue(campaignId, page.recipients);
      await deps.campaigns.saveFanout(campaignId, page.last, page.last === null);
      if (page.last === null) break;
      const current = await deps.campaigns.get(campaignId);
      if (current?.status !== 'sending') {
        // Cancelled while this page was written: its records go the way of the others.
        if (current?.status === 'cancelled')
          await deps.campaigns.cancelPending(campaignId, deps.now());
        return false;
      }
    }
    const counts = await deps.campaigns.counts(campaignId);
    const recipients = Object.values(counts).reduce((x, y) => x + y, 0);
    await deps.campaigns.transition(campaignId, ['sending'], 'sending', { recipients });
    deps.log.info({ campaignId, recipients }, 'campaign fanned out');
    return true;
  }

  /** Completed when nothing is left unsent; lost jobs re-enqueued when the queues are idle. */
  async function check(campaignId: string): Promise<boolean> {
    const counts = await deps.campaigns.counts(campaignId);
    if (counts.pending + counts.sending === 0) {
      await deps.campaigns.transition(campaignId, ['sending'], 'completed', {
        completedAt: deps.now(),
      });
      deps.log.info({ campaignId, ...counts }, 'campaign completed');
      return true;
    }
    if (await queuesIdle()) await requeueUnfinished(campaignId);
    return false;
  }

  async function queuesIdle(): Promise<boolean> {
    for (const queue of deps.sendQueues.values()) {
      const c = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      if (Object.values(c).some((n) => n > 0)) return false;
    }
    return true;
  }

  async function requeueUnfinished(campaignId: string) {
    let after: string | null = null;
    let n = 0;
    for (;;) {
      const rows = await deps.campaigns.unfinished(campaignId, after, pageSize);
      if (rows.length === 0) break;
      await enqueue(campaignId, rows);
      n += rows.length;
      after = rows.at(-1)?._id ?? null;
    }
    if (n > 0)
      deps.log.warn(
        { campaignId, requeued: n },
        'campaign: re-enqueued sends whose jobs were lost',
      );
  }

  return async (job: Job<CampaignJobData>, token?: string): Promise<string> => {
    const { campaignId } = job.data;
    const started = await deps.campaigns.transition(campaignId, ['scheduled'], 'sending', {
      startedAt: deps.now(),
    });
    if (started) deps.log.info({ campaignId }, 'campaign sending');
    if (!(await fanout(campaignId))) return 'stopped';
    const checking = Date.now();
    if (await check(campaignId)) return 'completed';
    // The same job watches the campaign until it completes (a killed worker's job is taken up
    // again by another: BullMQ's stalled-job check). A slow check (a large campaign on a database
    // that counts by scanning) comes back less often.
    if (!token) throw new Error('the campaign job needs its lock token');
    const wait = Math.max(watchEveryMs, COUNT_COST_FACTOR * (Date.now() - checking));
    await job.moveToDelayed(Date.now() + wait, token);
    throw new DelayedError();
  };
}
