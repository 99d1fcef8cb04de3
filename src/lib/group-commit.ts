import { isDatabaseUnavailable } from './db-errors.js';

/**
 * Linger for writes nobody waits for (conversation log, questions): FerretDB likes big batches.
 * 200 ms (was 20): the bench showed a quarter less CPU per turn in Lamton and in FerretDB; reads
 * of the log and the unanswered list flush first, and shutdown flushes.
 */
export const BACKGROUND_LINGER_MS = 200;

/** While the database is away: how writes are kept and retried instead of dropped. */
export interface RetryWhileDown {
  /** The failure means "the database is unreachable" (retry), not "this write is wrong". */
  isTransient(err: unknown): boolean;
  /** Items that may wait in the queue meanwhile; beyond it the oldest are dropped (counted). */
  maxQueued: number;
  onDropped(count: number): void;
  /** Longest wait between two tries (default 5 s). */
  maxWaitMs?: number;
}

/** Items of background writes (log lines, questions) that may wait for the database per repo. */
export const BACKGROUND_MAX_QUEUED = 50_000;

/** The retry of background writes: while the database is unreachable, kept and tried again. */
export function backgroundRetry(
  onDropped: (count: number) => void = () => undefined,
): RetryWhileDown {
  return { isTransient: isDatabaseUnavailable, maxQueued: BACKGROUND_MAX_QUEUED, onDropped };
}

/** Queues writes; `flush()` resolves once everything queued so far is stored (or failed). */
export interface GroupCommit<T> {
  (items: T[]): Promise<void>;
  flush(): Promise<void>;
}

/**
 * Group commit: writes arriving while an insert is in flight go together in the next one, and
 * each caller's promise settles when its own entries are stored. Under load this turns many
 * small inserts (FerretDB on SQLite serialises writes) into a few large ones.
 */
export function groupCommit<T>(
  write: (items: T[]) => Promise<void>,
  maxBatch = 500,
  /**
   * Wait this long after the first write of an idle period before storing, so writes that do
   * not hold anyone up (the conversation log) go in fewer, larger batches.
   */
  lingerMs = 0,
  retry?: RetryWhileDown,
): GroupCommit<T> {
  const queue: { items: T[]; done: (err?: unknown) => void }[] = [];
  let running = false;
  let lingering: NodeJS.Timeout | undefined;
  let idle: (() => void)[] = [];

  async function drain(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      const batch: typeof queue = [];
      let size = 0;
      while (
        queue.length > 0 &&
        (batch.length === 0 || size + (queue[0]?.items.length ?? 0) <= maxBatch)
      ) {
        const next = queue.shift()!;
        batch.push(next);
        size += next.items.length;
      }
      const items = batch.flatMap((b) => b.items);
      for (let wait = 100; ; wait = Math.min(wait * 2, retry?.maxWaitMs ?? 5_000)) {
        try {
          await write(items);
          for (const b of batch) b.done();
          break;
        } catch (err) {
          if (!retry?.isTransient(err)) {
            for (const b of batch) b.done(err);
            break;
          }
          // The database is away: keep the batch and try again until it is back; what arrives
          // meanwhile waits in the queue, bounded (the oldest beyond the bound are dropped).
          await new Promise((resolve) => setTimeout(resolve, wait));
          trim(retry);
        }
      }
    }
    running = false;
    const waiting = idle;
    idle = [];
    for (const w of waiting) w();
  }

  function trim(r: RetryWhileDown): void {
    let queued = queue.reduce((n, q) => n + q.items.length, 0);
    while (queued > r.maxQueued && queue.length > 0) {
      const dropped = queue.shift()!;
      queued -= dropped.items.length;
      r.onDropped(dropped.items.length);
      dropped.done(new Error('dropped: the buffer of writes waiting for the database is full'));
    }
  }

  const commit = (items: T[]) =>
    new Promise<void>((resolve, reject) => {
      queue.push({
        items,
        done: (err) =>
          err
            ? reject(err instanceof Error ? err : new Error('group commit failed', { cause: err }))
            : resolve(),
      });
      if (running) return;
      running = true;
      if (lingerMs > 0) lingering = setTimeout(run, lingerMs);
      else run();
    });
  /** Starts the drain now (a pending linger is cut short). */
  function run(): void {
    clearTimeout(lingering);
    lingering = undefined;
    // drain settles every batch itself (done(err)); nothing is left to reject.
    drain().catch(() => undefined);
  }
  return Object.assign(commit, {
    flush: () => {
      if (!running && queue.length === 0) return Promise.resolve();
      const done = new Promise<void>((r) => idle.push(r));
      if (lingering) run(); // a reader waits: no need to linger
      return done;
    },
  });
}
