/**
 * npm run bench:wechat — WeChat Official Account callbacks in safe mode at 50 concurrent people:
 * callbacks per second and p50/p99 from the callback to its passive reply (WeChat allows 5 s),
 * beside the Telegram webhook's turns in the same run, against the same Lamton process.
 * Everything on 127.0.0.1: the WeChat API and the Bot API are the test suite's servers.
 */
import { randomUUID } from 'node:crypto';

const run = randomUUID().slice(0, 8);
import { startBotApiServer } from '../test/support/bot-api/index.js';
import { startWechatApiServer } from '../test/support/wechat/api-server.js';
import { callback, messageXml, replyText, type Account } from '../test/support/wechat/callbacks.js';
import {
  PEOPLE,
  SECRET,
  THINK_MS,
  TURNS,
  daemonPids,
  drive,
  spawnServer,
  withCpu,
} from './bench-support.js';

const steps = [
  (from: string) => event(from, 'subscribe'),
  (from: string) => text(from, '1'), // 中文
  (from: string) => text(from, '失业金怎么领'),
  (from: string) => text(from, 'ཧྲི་ཡེ་ཅིན་ག་འདྲ་བྱས་ནས་ལེན་དགོས།'),
  (from: string) => text(from, '菜单'),
  (from: string) => text(from, '5'), // interview
  (from: string) => text(from, '我叫卓玛，以前在超市做了八年理货员'),
  (from: string) => text(from, '菜单'),
];
let msgId = 30_000_000_000_000_000n;
let second = 1_800_000_000;
function text(from: string, content: string): string {
  const now = Math.floor(Date.now() / 1000);
  const fields = { ToUserName: 'gh_bench', FromUserName: from, CreateTime: now, MsgType: 'text' };
  return messageXml({ ...fields, Content: content, MsgId: String(++msgId) });
}
function event(from: string, ev: string): string {
  const fields = { ToUserName: 'gh_bench', FromUserName: from, CreateTime: ++second };
  return messageXml({ ...fields, MsgType: 'event', Event: ev });
}

async function driveWechat(base: string, account: Account, thinkMs = 0) {
  const latencies: number[] = [];
  const byStep = steps.map(() => [] as number[]);
  let passive = 0;
  let late = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PEOPLE }, async (_, p) => {
      // The same people in every run (as bench:turns): only the warm-up meets newcomers.
      const person = `o-bench-${run}-${p}`;
      for (let i = 0; i < TURNS; i++) {
        const { url, body } = callback(account, steps[i % steps.length]!(person), { aes: true });
        const t0 = performance.now();
        const res = await fetch(`${base}${url}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body,
        });
        const out = await res.text();
        latencies.push(performance.now() - t0);
        byStep[i % steps.length]!.push(performance.now() - t0);
        if (res.status === 200 && replyText(account, out) !== null) passive++;
        else late++;
        // Paced: a person reads the reply before writing again (0.5–1.5 × thinkMs).
        if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const first = (byStep[0] ?? []).slice(0, PEOPLE).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const pct = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    turns: latencies.length,
    p50: pct(0.5),
    p99: pct(0.99),
    max: latencies.at(-1) ?? 0,
    perSecond: latencies.length / seconds,
    passive,
    late,
    /** Each person's first callback (following the account). */
    firstP50: first[Math.floor(first.length / 2)] ?? 0,
    firstMax: first.at(-1) ?? 0,
  };
}

async function main() {
  const wechatApi = await startWechatApiServer();
  const botApi = await startBotApiServer();
  const account: Account = {
    token: 'benchWechatToken',
    aesKey: 'b'.repeat(43),
    appId: wechatApi.appId,
  };
  const lamton = await spawnServer(['scripts/bench-lamton-server.ts'], {
    WECHAT_APPID: wechatApi.appId,
    WECHAT_APPSECRET: wechatApi.appSecret,
    WECHAT_TOKEN: account.token,
    WECHAT_AES_KEY: account.aesKey,
    WECHAT_API_ROOT: wechatApi.apiRoot,
    TELEGRAM_BOT_TOKEN: botApi.token,
    TELEGRAM_API_ROOT: botApi.apiRoot,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    PUBLIC_URL: 'https://bench.example.org',
    LOG_LEVEL: 'silent',
  });
  const hook = `${lamton.url}/webhooks/telegram`;
  const headers = { 'x-telegram-bot-api-secret-token': SECRET };
  // Warm-up (JIT, pools); it is also 50 newcomers following the account at the same moment.
  const newcomers = await driveWechat(lamton.url, account);
  await drive('lamton', hook, botApi, headers);
  botApi.reset();
  const wx = await withCpu({ lamton: lamton.pid, ...daemonPids() }, () =>
    driveWechat(lamton.url, account),
  );
  const tg = await withCpu({ lamton: lamton.pid, ...daemonPids() }, () =>
    drive('lamton', hook, botApi, headers),
  );
  const wxPaced = await driveWechat(lamton.url, account, THINK_MS);
  const tgPaced = await drive('lamton', hook, botApi, headers, THINK_MS);
  const cpu = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
  process.stdout.write(
    [
      `${PEOPLE} concurrent people, ${TURNS} messages each, each writing again as soon as answered`,
      `  wechat (safe mode)  callbacks=${wx.turns} p50=${wx.p50.toFixed(1)}ms p99=${wx.p99.toFixed(1)}ms max=${wx.max.toFixed(0)}ms throughput=${wx.perSecond.toFixed(0)}/s passive=${wx.passive} success-then-push=${wx.late}`,
      `  telegram (webhook)  turns=${tg.turns} p50=${tg.p50.toFixed(1)}ms p99=${tg.p99.toFixed(1)}ms throughput=${tg.perSecond.toFixed(0)}/s`,
      `  CPU ms per callback, wechat run:  ${cpu(wx.cpu)}`,
      `  CPU ms per turn, telegram run:    ${cpu(tg.cpu)}`,
      `  50 newcomers following at the same moment (warm-up): first callback p50=${newcomers.firstP50.toFixed(0)}ms max=${newcomers.firstMax.toFixed(0)}ms`,
      `paced (each person reads for ${THINK_MS / 2}–${(THINK_MS * 3) / 2} ms before writing again):`,
      `  wechat (safe mode)  callbacks=${wxPaced.turns} p50=${wxPaced.p50.toFixed(1)}ms p99=${wxPaced.p99.toFixed(1)}ms max=${wxPaced.max.toFixed(0)}ms passive=${wxPaced.passive} success-then-push=${wxPaced.late}`,
      `  telegram (webhook)  turns=${tgPaced.turns} p50=${tgPaced.p50.toFixed(1)}ms p99=${tgPaced.p99.toFixed(1)}ms`,
      '',
    ].join('\n'),
  );
  await lamton.stop();
  await botApi.close();
  await wechatApi.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
