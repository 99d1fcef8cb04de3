/**
 * Splits text into chunks of at most `max` UTF-16 units without ever cutting a Tibetan
 * stack or a surrogate pair: prefers paragraph, line, shad (།), sentence end, tsheg (་), space.
 */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = findCut(rest, max);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

const BREAKS: RegExp[] = [/\n\n/g, /\n/g, /[\u0F0D\u0F0E]/g, /[。！？!?]/g, /[\u0F0B ，,、；;]/g];

function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const re of BREAKS) {
    let best = -1;
    for (const m of window.matchAll(re)) {
      const end = m.index + m[0].length;
      if (end <= max && end > max / 3) best = end;
    }
    if (best > 0) return best;
  }
  // No natural break: cut before a combining mark or subjoined letter, never inside a pair.
  let cut = max;
  while (cut > 1 && !isSafeBoundary(text, cut)) cut--;
  return cut;
}

function isSafeBoundary(text: string, i: number): boolean {
  const next = text.charCodeAt(i);
  if (next >= 0xdc00 && next <= 0xdfff) return false; // low surrogate
  return !/^[\p{M}\u0F90-\u0FBC\u0F71-\u0F84\u0F86\u0F87]/u.test(text.slice(i, i + 1));
}
