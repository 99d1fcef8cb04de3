/**
 * Writes a record that must not be lost because the thing it records already happened (a
 * message the channel accepted): tried again while it fails, waiting longer each time, for up to
 * `withinMs`; then the last error is thrown. Giving up early would make the caller do the thing
 * again (send the message twice).
 */
export async function persist<T>(
  write: () => Promise<T>,
  { withinMs = 60_000, firstWaitMs = 250, maxWaitMs = 10_000 } = {},
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let wait = firstWaitMs; ; wait = Math.min(wait * 2, maxWaitMs)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + wait > deadline) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
