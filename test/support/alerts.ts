import { pino } from 'pino';
import type { ChannelId } from '../../src/messaging/inbound.js';
import type { Sender } from '../../src/messaging/send.js';
import type { CoreDeps } from '../../src/deps.js';
import { startAlertWorker } from '../../src/jobs/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Lhasa keeps UTC+8. */
const LHASA = 8 * HOUR;

/** `hour`:00 in Lhasa on the Lhasa day of `d` (plus `days`). */
export function lhasaAt(d: Date, hour: number, days = 0): Date {
  const day = Math.floor((d.getTime() + LHASA) / DAY) + days;
  return new Date(day * DAY - LHASA + hour * HOUR);
}

/** The worker role's job alerts on a process's core, with a clock the test moves. */
export function startAlertTestWorker(
  core: CoreDeps,
  opts: { now?: () => Date; senders?: ReadonlyMap<ChannelId, Sender> } = {},
) {
  return startAlertWorker({
    ...core,
    ...(opts.senders ? { senders: opts.senders } : {}),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/** A job posting as the admin API takes it (Chinese texts, as most are). */
export function posting(title: string, more: Record<string, unknown> = {}) {
  return {
    title,
    employer: '拉萨市某物业公司',
    district: '城关区',
    description: `${title}，要求身体健康，有责任心。`,
    contact: '0891-6800000',
    ...more,
  };
}
