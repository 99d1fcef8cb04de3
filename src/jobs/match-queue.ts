import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { addAlertJobs, ALERT_QUEUE, type AlertJob } from './alert.queue.js';
import type { JobEvent } from './job.service.js';

/**
 * The alert queue's producer: a posting created or edited (through the admin API, its page or
 * the CSV import) becomes a `match` job the worker role runs. `failFast` (the CLI): a Redis
 * that does not answer fails the add rather than waiting for it to come back.
 */
export function createMatchQueue(opts: {
  redisUrl: string;
  prefix: string;
  onError: (err: Error) => void;
  failFast?: boolean;
}) {
  const connection = new Redis(opts.redisUrl, {
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    ...(opts.failFast ? { enableOfflineQueue: false, connectTimeout: 5_000 } : {}),
  });
  connection.on('error', opts.onError);
  const queue = new Queue<AlertJob>(ALERT_QUEUE, { connection, prefix: `${opts.prefix}bull` });
  queue.on('error', opts.onError);
  return {
    queue,
    async posted(event: JobEvent): Promise<void> {
      if (event.change === 'closed') return;
      // One match per save (an edit may match people the first text did not).
      await addAlertJobs(queue, [
        { id: `match-${event.jobId}-${Date.now()}`, data: { kind: 'match', jobId: event.jobId } },
      ]);
    },
    async close(): Promise<void> {
      await queue.close().catch(() => undefined);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
