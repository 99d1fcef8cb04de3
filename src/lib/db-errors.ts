/**
 * The database is unreachable (stopped, restarting, network away), as the MongoDB driver and
 * mongoose report it: a write that failed so can be tried again later; any other error cannot.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = 'name' in err && typeof err.name === 'string' ? err.name : '';
  if (
    /^Mongo(?:ose)?(?:Network|NetworkTimeout|ServerSelection|NotConnected|PoolCleared|TopologyClosed)Error$|^PoolClearedOnNetworkError$/.test(
      name,
    )
  )
    return true;
  // A bulk write interrupted by the network carries the driver's error as its cause.
  if (depth < 2 && 'cause' in err && isDatabaseUnavailable(err.cause, depth + 1)) return true;
  const labels = 'errorLabels' in err && err.errorLabels instanceof Set ? err.errorLabels : null;
  if (labels?.has('RetryableWriteError') || labels?.has('ResetPool')) return true;
  const message = 'message' in err && typeof err.message === 'string' ? err.message : '';
  return /ECONNREFUSED|ECONNRESET|buffering timed out|connection .*closed|Client must be connected|not connected|interrupted due to server monitor timeout|pool .*cleared/i.test(
    message,
  );
}

/**
 * Redis cannot serve now, as ioredis reports it: unreachable (closed connection, retries per
 * request spent), or up but refusing (full with noeviction: OOM; a replica after a failover:
 * READONLY; loading its data; a transaction aborted by one of those).
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = 'name' in err && typeof err.name === 'string' ? err.name : '';
  if (name === 'MaxRetriesPerRequestError') return true;
  const message = 'message' in err && typeof err.message === 'string' ? err.message : '';
  return /^Connection is closed|Stream isn't writeable|Reached the max retries per request|^(?:OOM|READONLY|EXECABORT|LOADING|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN)\b/.test(
    message,
  );
}

/** An insert of documents with their own ids that failed only because some are stored already. */
export function onlyDuplicates(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ('code' in err && err.code === 11000) return true;
  const writeErrors = 'writeErrors' in err && Array.isArray(err.writeErrors) ? err.writeErrors : [];
  return (
    writeErrors.length > 0 &&
    writeErrors.every(
      (w: unknown) => typeof w === 'object' && w !== null && 'code' in w && w.code === 11000,
    )
  );
}
