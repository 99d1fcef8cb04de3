import { Types } from 'mongoose';
import { describe, expect, it, vi } from 'vitest';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Translator } from '../i18n.js';
import type { AudienceReader } from './audience.js';
import type { CampaignDoc, StoredStatus } from './campaign.model.js';
import type { CampaignRepo, DeliveryCounts } from './campaign.repo.js';
import { createCampaignService, type CampaignServiceDeps } from './campaign.service.js';

const counts = (sent: number, pending: number): DeliveryCounts => ({
  pending,
  sending: 0,
  sent,
  failed: 0,
  skipped: 0,
  cancelled: 0,
});

/** A campaign whose delivery count takes `countMs` (a large campaign on a busy database). */
function service(countMs: number) {
  const id = new Types.ObjectId();
  const state: { status: StoredStatus; counts: DeliveryCounts } = {
    status: 'sending',
    counts: counts(223, 17),
  };
  const count = vi.fn(() => {
    const now = { ...state.counts };
    return new Promise<DeliveryCounts>((r) => setTimeout(() => r(now), countMs));
  });
  const campaigns = {
    get: vi.fn(() =>
      Promise.resolve({
        _id: id,
        title: 't',
        message: { 'zh-CN': 'z', bo: 'b' },
        audience: {},
        sendAt: new Date(0),
        status: state.status,
        createdBy: 'a',
        createdAt: new Date(0),
        estimate: 240,
        recipients: 240,
      } as unknown as CampaignDoc),
    ),
    counts: count,
  } as unknown as CampaignRepo;
  const svc = createCampaignService({
    campaigns,
    audience: {} as AudienceReader,
    queue: {} as CampaignServiceDeps['queue'],
    senders: new Map(),
    audit: {} as AuditRepo,
    translator: { t: (k: string) => k } as unknown as Translator,
    approvalThreshold: 1000,
    recentSent: () => Promise.resolve(0),
    quietHeld: () => Promise.resolve(false),
  });
  return { id: id.toHexString(), state, svc, count };
}

describe('campaign views', () => {
  it('reuse a slow count while the campaign sends, but count an ended campaign afresh', async () => {
    const { id, state, svc, count } = service(120);
    expect((await svc.get(id)).stats).toMatchObject({ sent: 223, pending: 17 });
    // Still sending: the slow count is reused (no second count for a page polling).
    state.counts = counts(230, 10);
    expect((await svc.get(id)).stats.sent).toBe(223);
    expect(count).toHaveBeenCalledTimes(1);
    // Completed meanwhile: its final numbers, not the older count's.
    state.status = 'completed';
    state.counts = counts(240, 0);
    const done = await svc.get(id);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({ sent: 240, pending: 0 });
    // …once: an ended campaign's numbers do not change (a list polled every few seconds
    // recounted every finished campaign each time).
    expect(count).toHaveBeenCalledTimes(2);
    await svc.get(id);
    expect(count).toHaveBeenCalledTimes(2);
  });
});
