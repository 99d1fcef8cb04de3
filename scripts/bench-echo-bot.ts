/** The bench's baseline: a bare telegraf + fastify echo bot behind a webhook route. */
import Fastify from 'fastify';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';

const bot = new Telegraf(process.env.BOT_TOKEN ?? '', {
  telegram: { apiRoot: process.env.BOT_API_ROOT ?? '', webhookReply: false },
});
bot.on('text', (ctx) => ctx.reply(ctx.message.text));
const app = Fastify();
app.post('/hook', async (req) => {
  await bot.handleUpdate(req.body as Update);
  return { ok: true };
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${url}/hook\n`);
process.on('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
