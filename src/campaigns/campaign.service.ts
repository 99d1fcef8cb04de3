import type { Logger } from 'pino';
import { jobOpts } from './queues.js';
import type { Queue } from 'bullmq';
import type { AuditRepo } from '../audit/audit.repo.js';
import { AppError } from '../errors.js';
import type { Translator } from '../i18n.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { isRetryable, SendError, type Sender } from '../messaging/send.js';
import type { AudienceReader } from './audience.js';
import type { Audience, CampaignDoc, StoredStatus } from './campaign.model.js';
import { COUNT_COST_FACTOR, type CampaignRepo, type DeliveryCounts } from './campaign.repo.js';
import { outreachMessages, outreachPreview, tooLong } from './compose.js';
import type { CampaignJobData } from './fanout.processor.js';

export type CampaignStatus = StoredStatus | 'paused';

export interface CampaignView {
  id: string;
  title: string;
  message: Record<Lang, string>;
  audience: Audience;
  sendAt: string;
  status: CampaignStatus;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  estimate: number;
  stats: {
    recipients: number | null;
    sent: number;
    failed: number;
    skipped: number;
    pending: number;
    cancelled: number;
    /** Sends per second over the last 30 s. */
    rate: number;
    /** Seconds until the last pending copy goes at that rate (null: unknown or done). */
    etaSeconds: number | null;
  };
}

export interface CampaignInput {
  title: string;
  message: Record<Lang, string>;
  audience: Audience;
  sendAt?: Date | undefined;
}

export interface CampaignServiceDeps {
  campaigns: CampaignRepo;
  audience: AudienceReader;
  queue: Queue<CampaignJobData>;
  senders: ReadonlyMap<ChannelId, Sender>;
  audit: AuditRepo;
  translator: Translator;
  approvalThreshold: number;
  /** Sent counts by campaign, for the rate (a Redis-backed window). */
  recentSent(campaignId: string): Promise<number>;
  /** Whether the send workers are holding for quiet hours now (their flag in Redis). */
  quietHeld(): Promise<boolean>;
  log?: Pick<Logger, 'warn'>;
  now?: () => Date;
}

/** How long an ended campaign's count stands (see countsOf). */
const ENDED_COUNT_MS = 60_000;
/** A count this slow is reused for a while (see countsOf); quicker ones are always fresh. */
const SLOW_COUNT_MS = 100;

/** What the admin API and pages do with campaigns; every change audited with its actor. */
export function createCampaignService(deps: CampaignServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const t = deps.translator.t.bind(deps.translator);

  /**
   * The campaign's job. The campaign is stored already: when Redis cannot take the job now, the
   * worker's sweep (scheduleStored) adds it within a minute, so the caller is not told "failed"
   * (a retried create would make a second campaign).
   */
  async function schedule(c: CampaignDoc) {
    const id = c._id.toHexString();
    await deps.queue
      .add('run', { campaignId: id }, jobOpts(id, c.sendAt.getTime() - Date.now()))
      .catch((err: unknown) =>
        deps.log?.warn(
          { err, campaignId: id },
          'campaign stored, its job not queued yet: the worker will queue it',
        ),
      );
  }

  // Pages poll the counts every few seconds: a slow count of a campaign still sending is reused
  // within this process while it is younger than COUNT_COST_FACTOR times what it took, so
  // watching a large campaign does not keep the database busy. A campaign that has ended is
  // counted afresh (its final numbers must not be an older count's), then that count stands
  // for a minute (a send in flight at a cancel may still land).
  const countCache = new Map<
    string,
    { at: number; took: number; counts: DeliveryCounts; status: StoredStatus }
  >();
  async function countsOf(id: string, status: StoredStatus): Promise<DeliveryCounts> {
    const hit = countCache.get(id);
    if (hit && hit.status === status) {
      if (status !== 'sending' && Date.now() - hit.at < ENDED_COUNT_MS) return hit.counts;
      if (hit.took >= SLOW_COUNT_MS && Date.now() - hit.at < COUNT_COST_FACTOR * hit.took)
        return hit.counts;
    }
    const started = Date.now();
    const counts = await deps.campaigns.counts(id);
    countCache.delete(id);
    countCache.set(id, { at: Date.now(), took: Date.now() - started, counts, status });
    if (countCache.size > 500) countCache.delete(countCache.keys().next().value!);
    return counts;
  }

  async function view(c: CampaignDoc): Promise<CampaignView> {
    const id = c._id.toHexString();
    const counts: DeliveryCounts = await countsOf(id, c.status);
    const recent = c.status === 'sending' ? await deps.recentSent(id) : 0;
    const rate = Math.round((recent / 30) * 10) / 10;
    const pending = counts.pending + counts.sending;
    // Paused while the send workers hold for quiet hours (their clock decides, not this one's).
    const paused = c.status === 'sending' && (await deps.quietHeld());
    return {
      id,
      title: c.title,
      message: c.message,
      audience: c.audience ?? {},
      sendAt: c.sendAt.toISOString(),
      status: paused ? 'paused' : c.status,
      createdBy: c.createdBy,
      createdAt: c.createdAt.toISOString(),
      approvedBy: c.approvedBy ?? null,
      estimate: c.estimate,
      stats: {
        recipients: c.recipients ?? null,
        sent: counts.sent,
        failed: counts.failed,
        skipped: counts.skipped,
        pending,
        cancelled: counts.cancelled,
        rate,
        etaSeconds: rate > 0 && pending > 0 ? Math.ceil(pending / rate) : null,
      },
    };
  }

  async function found(id: string): Promise<CampaignDoc> {
    const c = await deps.campaigns.get(id);
    if (!c) throw new AppError('not_found', 'no such campaign');
    return c;
  }

  return {
    view,
    async create(input: CampaignInput, actor: string): Promise<CampaignView> {
      // A channel this deployment has no sender for would send nothing (and check nothing).
      const missing = (input.audience.channels ?? []).flatMap((c, i) =>
        deps.senders.has(c)
          ? []
          : [
              {
                path: `audience.channels.${i}`,
                message: `${c} is not configured on this deployment`,
              },
            ],
      );
      if (missing.length > 0)
        throw new AppError('validation', 'channel not configured here', missing);
      const long = tooLong(t, input.message, deps.senders, input.audience.channels);
      if (long.length > 0) throw new AppError('validation', 'message too long', long);
      const at = now();
      const estimate = await deps.audience.count(input.audience);
      const needsApproval = estimate > deps.approvalThreshold;
      const c = await deps.campaigns.create({
        title: input.title,
        message: input.message,
        audience: input.audience,
        sendAt: input.sendAt ?? at,
        status: needsApproval ? 'pending_approval' : 'scheduled',
        createdBy: actor,
        createdAt: at,
        estimate,
      });
      const id = c._id.toHexString();
      await deps.audit.record({
        at,
        actor,
        action: 'campaign.create',
        target: `campaign:${id}`,
        details: { estimate, status: c.status, sendAt: c.sendAt.toISOString() },
      });
      if (!needsApproval) await schedule(c);
      return view(c);
    },
    async approve(id: string, actor: string): Promise<CampaignView> {
      const c = await found(id);
      if (c.status !== 'pending_approval')
        throw new AppError('conflict', `campaign is ${c.status}, not waiting for approval`);
      if (c.createdBy === actor)
        throw new AppError('forbidden', 'a second administrator must approve this campaign');
      const approved = await deps.campaigns.transition(id, ['pending_approval'], 'scheduled', {
        approvedBy: actor,
        approvedAt: now(),
      });
      if (!approved) throw new AppError('conflict', 'campaign changed meanwhile');
      await deps.audit.record({
        at: now(),
        actor,
        action: 'campaign.approve',
        target: `campaign:${id}`,
      });
      await schedule(approved);
      return view(approved);
    },
    async cancel(id: string, actor: string): Promise<CampaignView> {
      const c = await found(id);
      const cancelled = await deps.campaigns.transition(
        id,
        ['pending_approval', 'scheduled', 'sending'],
        'cancelled',
        { cancelledBy: actor, cancelledAt: now() },
      );
      if (!cancelled) throw new AppError('conflict', `campaign is ${c.status} already`);
      // Sends not yet made stop: their records become `cancelled` and their jobs find nothing.
      const stopped = await deps.campaigns.cancelPending(id, now());
      await deps.queue.remove(`campaign-${id}`).catch(() => 0);
      await deps.audit.record({
        at: now(),
        actor,
        action: 'campaign.cancel',
        target: `campaign:${id}`,
        details: { stopped },
      });
      return view(cancelled);
    },
    async test(id: string, actor: string, to: { channel: ChannelId; address: string }) {
      const c = await found(id);
      const sender = deps.senders.get(to.channel);
      if (!sender)
        throw new AppError('validation', 'channel not configured here', [
          { path: 'channel', message: `${to.channel} is not configured on this deployment` },
        ]);
      // Only to a chat that has written to us: a test never reaches, or makes, a stranger's inbox.
      if (!(await deps.audience.knows(to.channel, to.address)))
        throw new AppError('validation', 'no such chat', [
          { path: 'address', message: `no ${to.channel} chat with this id has written to us` },
        ]);
      const content = { id, title: c.title, message: c.message };
      // Both languages, marked as a test, as the channel will show them.
      const messages = outreachMessages(t, content, null, to.channel, { test: true });
      const result = await sender
        .send(to.address, messages, { maxWaitMs: 5000 })
        .catch((err: unknown) => {
          if (!(err instanceof SendError) || isRetryable(err))
            throw new AppError(
              'unavailable',
              'the channel did not take it now; try again',
              undefined,
              {
                cause: err,
              },
            );
          throw new AppError('validation', 'the channel refused the test', [
            { path: 'address', message: `${err.kind}: ${err.message}` },
          ]);
        });
      await deps.audit.record({
        at: now(),
        actor,
        action: 'campaign.test',
        target: `campaign:${id}`,
        details: { channel: to.channel },
      });
      return { sent: result.messageIds.length };
    },
    /** How each channel will show both languages, and what would be refused. */
    preview(message: Record<Lang, string>, channels?: ChannelId[]) {
      return {
        channels: outreachPreview(t, message, deps.senders),
        problems: tooLong(t, message, deps.senders, channels),
      };
    },
    async get(id: string) {
      return view(await found(id));
    },
    async list(limit: number, cursor?: string) {
      const rows = await deps.campaigns.list(limit, cursor);
      const items = await Promise.all(rows.map(view));
      const next = rows.length === limit ? (rows.at(-1)?._id.toHexString() ?? null) : null;
      return { items, nextCursor: next };
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
