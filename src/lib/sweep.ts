/**
 * Runs `run` every `everyMs` (and at once with `atStart`) until the returned stop is called; a
 * failed run is reported and the next one tries again. For a worker's catch-up sweeps (stored
 * work whose queue job Redis did not take); the timer never keeps the process alive.
 */
export function startSweep(
  run: () => Promise<unknown>,
  everyMs: number,
  onError: (err: unknown) => void,
  { atStart = false }: { atStart?: boolean } = {},
): () => void {
  const tick = (): void => {
    run().catch(onError);
  };
  if (atStart) tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
