import { Types } from 'mongoose';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Translator } from '../i18n.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import { createAlertProcessor, type AlertProcessorDeps } from './alert.processor.js';
import type { AlertRepo } from './alert.repo.js';
import type { JobDoc } from './job.model.js';
import type { Subscription } from './subscription.repo.js';

const NOW = new Date('2026-06-01T06:00:00Z');

const posting = {
  _id: new Types.ObjectId(),
  title: { 'zh-CN': '保安' },
  employer: '城关物业',
  district: '城关区',
  category: null,
  description: { 'zh-CN': '夜班保安，包住。' },
  contact: '0891-0000000',
  expiresAt: new Date('2026-07-01T00:00:00Z'),
  status: 'open',
  createdAt: NOW,
  updatedAt: NOW,
  createdBy: 'admin',
  reach: { alerted: 0, recommended: 0 },
  source: 'api',
} as unknown as JobDoc;

const subscription: Subscription = {
  id: 's1',
  personId: 'p1',
  keywords: ['保安'],
  terms: ['保安'],
  district: null,
  category: null,
  mode: 'instant',
  source: 'typed',
  createdAt: NOW,
} as unknown as Subscription;

function processor(finish: AlertRepo['finish']) {
  const send = vi.fn(() => Promise.resolve({ messageIds: ['m1'] }));
  const sender = { id: 'telegram', send } as unknown as Sender;
  const multi = {
    sadd: () => multi,
    scard: () => multi,
    expire: () => multi,
    exec: () =>
      Promise.resolve([
        [null, 1],
        [null, 1],
        [null, 1],
      ]),
  };
  const deps: AlertProcessorDeps = {
    jobs: {
      get: () => Promise.resolve(posting),
      raiseReach: () => Promise.resolve(),
      matched: () => Promise.resolve(),
    },
    alerts: {
      claim: () => Promise.resolve({ subscriptionId: 's1' }),
      finish,
    } as unknown as AlertRepo,
    subscriptions: { list: () => Promise.resolve([subscription]) },
    matcher: { match: () => Promise.resolve([]) },
    people: {
      findById: () => Promise.resolve({ language: 'zh-CN' }),
      reach: () => Promise.resolve({ channel: 'telegram', chatId: '42' }),
      setReachable: () => Promise.resolve(),
    } as unknown as AlertProcessorDeps['people'],
    senders: new Map<ChannelId, Sender>([['telegram', sender]]),
    preference: ['telegram'],
    redis: {
      multi: () => multi,
      set: () => Promise.resolve('OK'),
      incrby: () => Promise.resolve(1),
    } as unknown as AlertProcessorDeps['redis'],
    prefix: 't:',
    translator: { t: (_l: string, k: string) => k } as unknown as Translator,
    district: (zh) => zh,
    quietHours: { contains: () => false, msUntilEnd: () => 0 },
    alertsPerDay: 3,
    metrics: {
      outreachSends: { inc: () => undefined },
    } as unknown as AlertProcessorDeps['metrics'],
    log: pino({ level: 'silent' }),
    now: () => NOW,
    enqueue: () => Promise.resolve(),
    rateLimit: () => Promise.resolve(),
  };
  const run = createAlertProcessor(deps);
  const ctl = { attempt: 0, hold: () => Promise.reject<never>(new Error('held')) };
  return {
    send,
    alert: () =>
      run(
        {
          kind: 'alert',
          jobId: String(posting._id),
          personId: 'p1',
          subscriptionId: 's1',
          digest: false,
        },
        ctl,
      ),
  };
}

describe('job alert processor', () => {
  it('waits out a database away after the channel took the alert, instead of sending it again', async () => {
    // The `sent` write failing right after the Bot API accepted made the job fail, and its
    // retry sent the alert a second time.
    let writes = 0;
    const finish = vi.fn(() =>
      ++writes < 3 ? Promise.reject(new Error('connection refused')) : Promise.resolve(),
    );
    const { alert, send } = processor(finish);
    await expect(alert()).resolves.toBe('sent');
    expect(send).toHaveBeenCalledTimes(1);
    expect(finish).toHaveBeenCalledTimes(3);
    expect(finish).toHaveBeenLastCalledWith(String(posting._id), 'p1', 'sent', NOW, 'sent');
  });
});
