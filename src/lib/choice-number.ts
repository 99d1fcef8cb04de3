/**
 * "2", "２", "༢", "2." → 2: a reply that picks the nth choice of a numbered list (WeChat shows
 * choices as one); undefined for anything else.
 */
export function choiceNumber(text: string): number | undefined {
  const m = /^([0-9０-９༠-༩]{1,2})[.。、)]?$/u.exec(text.trim());
  if (!m?.[1]) return undefined;
  const n = Number([...m[1]].map(toAsciiDigit).join(''));
  return n > 0 ? n : undefined;
}

function toAsciiDigit(ch: string): string {
  const c = ch.codePointAt(0) ?? 48;
  if (c >= 0xff10 && c <= 0xff19) return String(c - 0xff10);
  if (c >= 0x0f20 && c <= 0x0f29) return String(c - 0x0f20);
  return ch;
}
