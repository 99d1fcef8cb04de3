/** The bench's Lamton: the real web role (webhook mode) on a test database, in its own process. */
import { startTestApp } from '../test/support/app.js';

// The channels' variables the bench sets (Telegram webhook, a WeChat Official Account).
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] =>
      /^(TELEGRAM_|WECHAT_|PUBLIC_URL$)/.test(e[0]) && typeof e[1] === 'string' && e[1] !== '',
  ),
);
const t = await startTestApp(env);
for (const channel of t.deps.channels) await channel.start?.();
process.stdout.write(`READY ${t.url}\n`);
process.on('SIGTERM', () => {
  Promise.all(t.deps.channels.map(async (c) => (c.id === 'telegram' ? undefined : c.stop?.())))
    .then(() => t.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});
