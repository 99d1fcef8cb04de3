import { TelegramError } from 'telegraf';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls the Bot API, waiting `retry_after` on a 429 (Telegram's flood control) and retrying. */
export async function withFloodRetry<T>(
  fn: () => Promise<T>,
  tries = 4,
  maxWaitS = 60,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TelegramError && err.code === 429 && attempt < tries) {
        await sleep(Math.min(err.parameters?.retry_after ?? 1, maxWaitS) * 1000);
        continue;
      }
      throw err;
    }
  }
}
