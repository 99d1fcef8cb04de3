/** Linger for writes nobody waits for (conversation log, questions): FerretDB likes big batches. */
export const BACKGROUND_LINGER_MS = 20;

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
): GroupCommit<T> {
  const queue: { items: T[]; done: (err?: unknown) => void }[] = [];
  let running = false;
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
      try {
        await write(batch.flatMap((b) => b.items));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    running = false;
    const waiting = idle;
    idle = [];
    for (const w of waiting) w();
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
      // drain settles every batch itself (done(err)); nothing is left to reject.
      const run = (): void => {
        drain().catch(() => undefined);
      };
      if (lingerMs > 0) setTimeout(run, lingerMs);
      else run();
    });
  return Object.assign(commit, {
    flush: () =>
      running || queue.length > 0 ? new Promise<void>((r) => idle.push(r)) : Promise.resolve(),
  });
}
