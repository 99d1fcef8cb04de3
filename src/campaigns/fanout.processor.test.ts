import { DelayedError, type Job, type Queue } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { ChannelId } from '../messaging/inbound.js';
import type { AudienceReader } from './audience.js';
import { COUNT_COST_FACTOR, type CampaignRepo, type DeliveryCounts } from './campaign.repo.js';
import { createCampaignProcessor, type CampaignJobData } from './fanout.processor.js';
import type { SendJobData } from './queues.js';

const counts = (pending: number): DeliveryCounts => ({
  pending,
  sending: 0,
  sent: 5,
  failed: 0,
  skipped: 0,
  cancelled: 0,
});

function processor(countMs: number) {
  const campaigns = {
    transition: vi.fn(() => Promise.resolve(null)),
    get: vi.fn(() => Promise.resolve({ status: 'sending', fanoutDone: true })),
    counts: vi.fn(
      () => new Promise<DeliveryCounts>((r) => setTimeout(() => r(counts(3)), countMs)),
    ),
  } as unknown as CampaignRepo;
  const busyQueue = {
    getJobCounts: () => Promise.resolve({ waiting: 3 }),
  } as unknown as Queue<SendJobData>;
  const run = createCampaignProcessor({
    campaigns,
    audience: {} as AudienceReader,
    sendQueues: new Map<ChannelId, Queue<SendJobData>>([['telegram', busyQueue]]),
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    watchEveryMs: 100,
  });
  const moveToDelayed = vi.fn((_at: number, _token?: string) => Promise.resolve());
  const job = { data: { campaignId: 'c1' }, moveToDelayed } as unknown as Job<CampaignJobData>;
  return { run: () => run(job, 'token'), moveToDelayed };
}

describe('the campaign watch', () => {
  it('comes back after watchEveryMs when counting is quick', async () => {
    const { run, moveToDelayed } = processor(0);
    const before = Date.now();
    await expect(run()).rejects.toBeInstanceOf(DelayedError);
    const at = moveToDelayed.mock.calls[0]![0];
    expect(at - before).toBeGreaterThanOrEqual(100);
    expect(at - before).toBeLessThan(1000);
  });

  it('comes back less often when counting is slow (a large campaign on a scanning database)', async () => {
    const { run, moveToDelayed } = processor(200);
    const before = Date.now();
    await expect(run()).rejects.toBeInstanceOf(DelayedError);
    const at = moveToDelayed.mock.calls[0]![0];
    expect(at - before).toBeGreaterThanOrEqual(COUNT_COST_FACTOR * 200);
  });
});
