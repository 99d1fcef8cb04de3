import { splitText } from '../../lib/split-text.js';
import type { OutgoingMessage } from '../../messaging/content.js';

/** WeChat's limit for one text message, in bytes (UTF-8). */
export const WECHAT_TEXT_MAX_BYTES = 2048;
/**
 * Characters per part: a UTF-16 unit is at most 3 bytes in UTF-8 (a surrogate pair is 4 for
 * 2), so this many never exceed the byte limit, for Chinese and Tibetan alike.
 */
const MAX_UNITS = Math.floor(WECHAT_TEXT_MAX_BYTES / 3);

/**
 * Pure: outgoing messages → WeChat text messages. WeChat has no buttons: choices become a
 * numbered list (a reply "2", "二", "２" or "༢" picks the second — the conversation layer reads
 * it against the choices it offered). Links go as lines; a notice goes last. Long texts split at
 * sentence ends, never inside a Tibetan stack.
 */
export function renderWechat(messages: readonly OutgoingMessage[]): string[] {
  return messages.flatMap((m) => {
    const choices = (m.choices ?? []).map((c, i) => `${i + 1}. ${c.label}`);
    // Numbered lines of the text itself would read as choices ("1" picked "全部取消", not the
    // first subscription): beside choices they are numbered ①②③ instead.
    const text = choices.length > 0 ? circleNumbers(m.text) : m.text;
    const lines = [text.length > 0 ? text : '…'];
    for (const link of m.media ?? []) lines.push(`${link.title} ${link.url}`);
    if (choices.length > 0) lines.push(choices.join('\n'));
    if (m.notice) lines.push(m.notice);
    return splitText(lines.join('\n\n'), MAX_UNITS);
  });
}

const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';

/** "1. 带好证件" at the start of a line → "① 带好证件" (1–20; other numbers stay). */
function circleNumbers(text: string): string {
  return text.replace(
    /^(\s*)([0-9༠-༩]{1,2})[.、．)）](?![0-9])\s*/gmu,
    (whole, indent: string, n: string) => {
      const value = Number(
        [...n].map((d) => (d >= '༠' && d <= '༩' ? String(d.charCodeAt(0) - 0x0f20) : d)).join(''),
      );
      const circled = [...CIRCLED][value - 1];
      return circled ? `${indent}${circled} ` : whole;
    },
  );
}
