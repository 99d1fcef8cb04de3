import type { Lang } from '../messaging/lang.js';
import type { ChannelId } from '../messaging/inbound.js';

/** The campaign lifecycle queue: `start` (delayed to `sendAt`: fan-out) and `watch` (completion). */
export const CAMPAIGN_QUEUE = 'campaigns';

/** One send queue per channel, each with its own global pace (BullMQ's limiter is per queue). */
export const sendQueueName = (channel: ChannelId) => `outreach-${channel}`;

/** A send job carries ids only: the address and the text are read when it runs. */
export interface SendJobData {
  campaignId: string;
  personId: string;
  /** Parts an earlier try delivered before it failed (both languages are two messages). */
  partsSent?: number;
  /** The language that try wrote in (null: both), kept with `partsSent`. */
  lang?: Lang | null;
}

/** The once-only job id of a person's copy (BullMQ ignores a second add while the first exists). */
export const sendJobId = (campaignId: string, personId: string) => `${campaignId}-${personId}`;

/** Attempts of a send that fails transiently (exponential from 5 s: about 40 minutes in all). */
export const SEND_ATTEMPTS = 10;
export const SEND_BACKOFF_MS = 5_000;

/**
 * BullMQ limiter for a rate in messages per second, in the shortest window (100 to 500 ms) that
 * holds a whole number of them, so a second's messages are spread over it rather than sent in
 * one burst at its start (25/s: 5 every 200 ms); below 1/s one per 1/rate seconds.
 */
export function limiterFor(ratePerSecond: number): { max: number; duration: number } {
  for (const duration of [100, 200, 250, 500]) {
    const max = (ratePerSecond * duration) / 1000;
    if (Number.isInteger(max) && max >= 1) return { max, duration };
  }
  return ratePerSecond >= 1
    ? { max: Math.floor(ratePerSecond), duration: 1000 }
    : { max: 1, duration: Math.ceil(1000 / ratePerSecond) };
}

/** Set (with the time left as its expiry) while quiet hours hold the send queues. */
export const quietFlagKey = (prefix: string) => `${prefix}out:quiet`;

/** Campaign job options: one job per campaign, retried every 5 s while MongoDB is away. */
export const jobOpts = (id: string, delay: number) => ({
  jobId: `campaign-${id}`,
  delay: Math.max(0, delay),
  attempts: 1000,
  backoff: { type: 'fixed', delay: 5000 },
  removeOnComplete: true,
  removeOnFail: 100,
});
