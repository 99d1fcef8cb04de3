/** The bench's Lamton: the real web role (webhook mode) on a test database, in its own process. */
import { startTestApp } from '../test/support/app.js';

const t = await startTestApp({
  TELEGRAM_BOT_TOKEN: process.env.TELEGRAM_BOT_TOKEN ?? '',
  TELEGRAM_API_ROOT: process.env.TELEGRAM_API_ROOT ?? '',
  TELEGRAM_MODE: 'webhook',
  TELEGRAM_WEBHOOK_SECRET: process.env.TELEGRAM_WEBHOOK_SECRET ?? '',
  PUBLIC_URL: process.env.PUBLIC_URL ?? '',
});
await t.deps.telegram?.start();
process.stdout.write(`READY ${t.url}\n`);
process.on('SIGTERM', () => {
  t.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
