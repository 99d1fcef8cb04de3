import type { Translator } from '../../i18n.js';

/** WeChat's custom menu limits: 3 buttons, 5 under each; names of 16 / 60 bytes. */
export const MENU_LIMITS = { top: 3, sub: 5, topBytes: 16, subBytes: 60 } as const;

export type MenuButton =
  { type: 'click'; name: string; key: string } | { type: 'view'; name: string; url: string };
export interface MenuTop {
  name: string;
  sub_button: MenuButton[];
}

/** The items: a flow choice each (its key is what a click sends into the conversation). */
const ITEMS: { top: string; items: { label: string; key: string }[] }[] = [
  {
    top: 'wechat:menu.services',
    items: [
      { label: 'main:menu.policy', key: 'main:menu#policy' },
      { label: 'main:menu.training', key: 'main:menu#training' },
      { label: 'main:menu.psych', key: 'main:menu#psych' },
      { label: 'main:menu.human', key: 'main:menu#human' },
    ],
  },
  {
    top: 'wechat:menu.jobs',
    items: [
      { label: 'main:menu.jobs', key: 'main:menu#jobs' },
      { label: 'main:menu.interview', key: 'main:menu#interview' },
      { label: 'main:menu.career', key: 'main:menu#career' },
      { label: 'main:menu.assess', key: 'main:menu#assess' },
    ],
  },
];

const fits = (text: string, bytes: number) => Buffer.byteLength(text) <= bytes;

/** Both languages when WeChat's byte limit allows, else Chinese (WeChat has no Tibetan UI). */
function bilingual(t: Translator, key: string, bytes: number): string {
  const zh = t.t('zh-CN', key);
  const both = `${zh} ${t.t('bo', key)}`;
  return fits(both, bytes) ? both : zh;
}

/**
 * The Official Account's custom menu (自定义菜单), from the locales: the main services as clicks
 * into the flows, the language choice (中文 / བོད་ཡིག, so a Tibetan reader finds their language
 * in a Chinese-only WeChat), and the web chat when `pageUrl` is given.
 */
export function buildMenu(t: Translator, pageUrl?: string): { button: MenuTop[] } {
  const { topBytes, subBytes } = MENU_LIMITS;
  const button: MenuTop[] = ITEMS.map((group) => ({
    name: bilingual(t, group.top, topBytes),
    sub_button: group.items.map((item) => ({
      type: 'click' as const,
      name: bilingual(t, item.label, subBytes),
      key: item.key,
    })),
  }));
  const more: MenuButton[] = [
    { type: 'click', name: '中文', key: 'language:choose#zh' },
    { type: 'click', name: 'བོད་ཡིག', key: 'language:choose#bo' },
  ];
  if (pageUrl)
    more.push({ type: 'view', name: bilingual(t, 'wechat:menu.page', subBytes), url: pageUrl });
  button.push({ name: bilingual(t, 'wechat:menu.more', topBytes), sub_button: more });
  return { button };
}
