import { RateLimitError, type Job } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { parseQuietHours } from '../lib/quiet-hours.js';
import { createMetrics } from '../metrics.js';
import { SendError } from '../messaging/send.js';
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

/** A campaign as stored, both languages. */
const storedCampaign = () =>
  Promise.resolve({
    title: { 'zh-CN': '标题', bo: 'ཁ་བྱང' },
    message: { 'zh-CN': '正文', bo: 'གཞུང' },
  });

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

  it('goes on from the part that failed: the first of two languages is not sent twice', async () => {
    // A person with no language gets Chinese then Tibetan; a 5xx on the Tibetan one released the
    // copy and the retry sent the Chinese again (a fault injector's 20 of 20).
    const claim = vi.fn(() => Promise.resolve({ address: '42', lang: null, resumed: false }));
    const release = vi.fn(() => Promise.resolve());
    const finish = vi.fn(() => Promise.resolve());
    const set = vi.fn(() => Promise.resolve('OK'));
    const sentParts: number[] = [];
    const send = vi.fn((_a: string, messages: unknown[], o?: { skipParts?: number }) => {
      const from = o?.skipParts ?? 0;
      if (sentParts.length === 0) {
        sentParts.push(0);
        return Promise.reject(new SendError('transient', 'Internal Server Error', undefined, 1));
      }
      for (let i = from; i < messages.length; i++) sentParts.push(i);
      return Promise.resolve({ messageIds: ['2'] });
    });
    const { d } = deps({
      campaigns: {
        claim,
        release,
        finish,
        get: storedCampaign,
      } as unknown as CampaignRepo,
      people: {
        // The person picks Chinese between the tries: the retry still counts parts of the
        // two-language copy it began.
        findById: vi
          .fn()
          .mockResolvedValueOnce({ language: null, outreachOptOut: false })
          .mockResolvedValue({ language: 'zh-CN', outreachOptOut: false }),
        setReachable: vi.fn(),
      },
      redis: { set } as never,
    });
    d.sender.send = send;
    const data: SendJobData = { campaignId: 'c1', personId: 'p1' };
    const retried = {
      get data() {
        return data;
      },
      attemptsMade: 0,
      opts: { attempts: 10 },
      updateData: vi.fn((next: SendJobData) => Promise.resolve(Object.assign(data, next))),
    };
    const run = createSendProcessor(d);
    await expect(run(retried as unknown as Job<SendJobData>)).rejects.toBeInstanceOf(SendError);
    expect(release).toHaveBeenCalled();
    expect(data.partsSent).toBe(1);
    await expect(run(retried as unknown as Job<SendJobData>)).resolves.toBe('sent');
    expect(send.mock.calls[1]?.[2]).toMatchObject({ skipParts: 1 });
    expect(send.mock.calls[1]?.[1]).toHaveLength(2);
    // Part 0 (Chinese) once, part 1 (Tibetan) once.
    expect(sentParts).toEqual([0, 1]);
  });

  it('waits out a database away after the channel took the message, instead of sending again', async () => {
    // A fault injector's FerretDB killed right after Telegram accepted: the `sent` write failed
    // and the retry sent the copy a second time.
    let writes = 0;
    const finish = vi.fn(() =>
      ++writes < 3 ? Promise.reject(new Error('connection refused')) : Promise.resolve(),
    );
    const { d, send } = deps({
      campaigns: {
        claim: () => Promise.resolve({ address: '42', lang: 'zh-CN', resumed: false }),
        finish,
        get: storedCampaign,
      } as unknown as CampaignRepo,
      people: {
        findById: vi.fn(() => Promise.resolve({ language: 'zh-CN', outreachOptOut: false })),
        setReachable: vi.fn(),
      } as never,
      redis: { set: () => Promise.resolve('OK') } as never,
    });
    await expect(createSendProcessor(d)(job as unknown as Job<SendJobData>)).resolves.toBe('sent');
    expect(send).toHaveBeenCalledTimes(1);
    expect(finish).toHaveBeenCalledTimes(3);
  });
});
