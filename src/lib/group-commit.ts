/**
 * Group commit: writes arriving while an insert is in flight go together in the next one, and
 * each caller still waits until its own entries are stored. Under load this turns many small
 * inserts (FerretDB on SQLite serialises writes) into a few large ones, with no window in
 * which an answered turn is missing from the log.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>, maxBatch = 500) {
  const queue: { items: T[]; done: (err?: unknown) => void }[] = [];
  let running = false;

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
  }

  return (items: T[]) =>
    new Promise<void>((resolve, reject) => {
      queue.push({
        items,
        done: (err) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      });
      if (!running) void drain();
    });
}
