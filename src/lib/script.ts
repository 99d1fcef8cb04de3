import type { Lang } from '../messaging/lang.js';

const TIBETAN_LETTER = /[\u0F40-\u0FBC]/gu;
const HAN = /\p{Script=Han}/gu;

/** Which language a text is written in, by the share of Tibetan letters vs Han characters. */
export function detectScript(text: string): Lang | null {
  const bo = text.match(TIBETAN_LETTER)?.length ?? 0;
  const zh = text.match(HAN)?.length ?? 0;
  if (bo === 0 && zh === 0) return null;
  return bo >= zh ? 'bo' : 'zh-CN';
}

/** Share of Tibetan letters among Tibetan letters + Han characters (0 when neither). */
export function tibetanShare(text: string): number {
  const bo = text.match(TIBETAN_LETTER)?.length ?? 0;
  const zh = text.match(HAN)?.length ?? 0;
  return bo + zh === 0 ? 0 : bo / (bo + zh);
}
