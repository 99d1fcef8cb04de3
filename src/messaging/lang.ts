/** The two languages Lamton speaks. Every text, card, key and reply is in one of them. */
export type Lang = 'zh-CN' | 'bo';
export const LANGS: readonly Lang[] = ['zh-CN', 'bo'];

export function isLang(value: unknown): value is Lang {
  return value === 'zh-CN' || value === 'bo';
}
