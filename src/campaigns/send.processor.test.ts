import { RateLimitError, type Job } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { parseQuietHours } from '../lib/quiet-hours.js';
import { createMetrics } from '../metrics.js';
import type { CampaignRepo } from './campaign.repo.js';
import type { SendJobData } from './queues.js';
import { createSendProcessor, type SendDeps } from './send.processor.js';

const job = { data: { campaignId: 'c1', personId: 'p1' }, attemptsMade: 0, opts: { attempts: 10 } };

function deps(over: Partial<SendDeps>) {
  const claim = vi.fn(() => Promise.resolve(null));
  const rateLimit = vi.fn(() => Promise.resolve());
  const send = vi.fn(() => Promise.resolve({ messageIds: ['1'] }));
  const d: SendDeps = {
    channel: 'telegram',
    sender: { channel: 'telegram', send },
    campaigns: { claim } as unknown as CampaignRepo,
    people: { findById: vi.fn(), setReachable: vi.fn() },
    redis: {} as never,
    prefix: 'test:',
    t: (_l, k) => k,
    quietHours: parseQuietHours('00:00-00:00'),
    metrics: createMetrics(),
    log: pino({ level: 'silent' }),
    now: () => new Date('2026-12-04T04:00:00Z'),
    rate: { record: () => Promise.resolve() },
    rateLimit,
    ...over,
  };
  return { d, claim, rateLimit, send };
}

describe('the send processor', () => {
  it('yields to live replies: a busy channel holds the queue before anything is claimed', async () => {
    const { d, claim, rateLimit } = deps({});
    d.sender.busy = () => Promise.resolve(300);
    const run = createSendProcessor(d)(job as unknown as Job<SendJobData>);
    await expect(run).rejects.toBeInstanceOf(RateLimitError);
    expect(rateLimit).toHaveBeenCalledWith(300);
    expect(claim).not.toHaveBeenCalled();
  });

  it('holds the queue until quiet hours end (Lhasa time), claiming nothing', async () => {
    const set = vi.fn(() => Promise.resolve('OK'));
    const { d, claim, rateLimit } = deps({
      quietHours: parseQuietHours('22:00-08:00'),
      now: () => new Date('2026-12-04T23:00:00Z'), // 07:00 in Lhasa
      redis: { set } as never,
    });
    await expect(createSendProcessor(d)(job as unknown as Job<SendJobData>)).rejects.toBeInstanceOf(
      RateLimitError,
    );
    expect(rateLimit).toHaveBeenCalledWith(3600_000);
    expect(set).toHaveBeenCalledWith('test:out:quiet', '1', 'PX', 3600_000);
    expect(claim).not.toHaveBeenCalled();
  });

  it('does nothing for a copy already sent (the claim finds nothing)', async () => {
    const { d, send } = deps({});
    d.sender.busy = () => Promise.resolve(0);
    await expect(createSendProcessor(d)(job as unknown as Job<SendJobData>)).resolves.toBe('done');
    expect(send).not.toHaveBeenCalled();
  });
});
