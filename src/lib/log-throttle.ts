/**
 * A warning that repeats while a dependency is away (each reconnect of a Redis client, each
 * retry of a queue or worker: some 70 lines a second in all) logged at most once per window,
 * with how many were held back since.
 */
export function throttledWarn(
  log: { warn(obj: object, msg: string): void },
  msg: string,
  everyMs = 30_000,
): (err: Error) => void {
  let last = -Infinity;
  let held = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) {
      held++;
      return;
    }
    log.warn({ err: err.message, ...(held > 0 ? { heldBack: held } : {}) }, msg);
    last = now;
    held = 0;
  };
}
