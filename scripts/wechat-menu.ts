/**
 * npm run wechat:menu — sets the Official Account's custom menu (自定义菜单) from the locales:
 * the main services as clicks into the flows, 中文 / བོད་ཡིག, and the web chat (opened through
 * WeChat's OAuth, so the page and the chat are one conversation) when PUBLIC_URL is set.
 * Needs WECHAT_APPID, WECHAT_APPSECRET (and Redis, where the access token is shared).
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createWechatApi } from '../src/channels/wechat/api.js';
import { buildMenu } from '../src/channels/wechat/menu.js';
import { menuLinkUrl } from '../src/channels/wechat/oauth.js';
import { loadConfig } from '../src/config.js';
import { ROOT } from '../src/deps.js';
import { createTranslator } from '../src/i18n.js';

const config = loadConfig();
if (!config.WECHAT_APPID || !config.WECHAT_APPSECRET) {
  process.stderr.write('wechat:menu needs WECHAT_APPID and WECHAT_APPSECRET\n');
  process.exit(78);
}
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
const api = createWechatApi({
  appId: config.WECHAT_APPID,
  appSecret: config.WECHAT_APPSECRET,
  apiRoot: config.WECHAT_API_ROOT,
  redis,
  prefix: 'lamton:',
  log: pino({ level: 'warn' }),
});
const page = config.PUBLIC_URL ? menuLinkUrl(config.PUBLIC_URL) : undefined;
const menu = buildMenu(createTranslator(`${ROOT}locales`), page);
try {
  await api.post('/cgi-bin/menu/create', menu);
  process.stdout.write(
    `custom menu set: ${menu.button.map((b) => `${b.name} (${b.sub_button.length})`).join(', ')}\n`,
  );
} catch (err) {
  process.stderr.write(`wechat:menu failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
