import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MessageRepo } from '../messages/message.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import type { Metrics } from '../metrics.js';
import { runMessageRetention, type RetentionDeps } from './retention.processor.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface RetentionWorkerDeps {
  redisUrl: string;
  prefix: string;
  messages: MessageRepo;
  questions: QuestionRepo;
  retentionMessagesDays: number;
  cases?: RetentionDeps['cases'];
  retentionCasesDays?: number;
  metrics: Metrics;
  log: Logger;
  /** How often the clean-up runs (default every 6 hours). */
  everyMs?: number;
}

export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * The retention job (no TTL indexes: FerretDB v1 has none). A BullMQ job scheduler runs it
 * on one worker at a time, whatever the number of worker processes.
 */
export async function startRetentionWorker(deps: RetentionWorkerDeps) {
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(deps.log, 'redis (worker) connection error'));
  const opts = { connection, prefix: `${deps.prefix}bull` };
  const queue = new Queue(MAINTENANCE_QUEUE, opts);
  // Without listeners BullMQ prints every error (stack and command arguments) to the console.
  queue.on('error', throttledWarn(deps.log, 'maintenance queue error'));
  await queue.upsertJobScheduler(
    'retention-messages',
    { every: deps.everyMs ?? 6 * 60 * 60 * 1000 },
    { name: 'retention-messages', opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name !== 'retention-messages') return null;
      const result = await runMessageRetention(deps);
      deps.metrics.retentionDeleted.inc(result.deleted);
      deps.log.info({ jobId: job.id, ...result }, 'message retention done');
      return result;
    },
    { ...opts, concurrency: 1 },
  );
  worker.on('error', throttledWarn(deps.log, 'maintenance worker error'));
  worker.on('failed', (job, err) =>
    deps.log.error({ jobId: job?.id, err }, 'maintenance job failed'),
  );
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
