/**
 * Every inbound text goes through `normalizeInput` first: NFC, no zero-width or control
 * characters (so nothing with NUL reaches the database), runs of spaces collapsed.
 */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;
// C0/C1 controls except tab and newline; lone surrogates are invalid UTF-16 and are dropped too.
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Bidirectional embeddings, overrides and isolates (U+202E turns text around on screen). */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * The one normalisation of every text that is stored or compared: line ends unified, NFC, no
 * control characters (NUL included), lone surrogates, zero-width or bidi control characters.
 */
export function cleanText(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(BIDI, '')
    .normalize('NFC');
}

export function normalizeInput(raw: string): string {
  return cleanText(raw.replace(/\t/g, ' '))
    .replace(/[ \u00A0\u3000]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Normalise a keyword the same way as input, and fold case and the Tibetan tsheg/shad at its end. */
export function keywordForm(text: string): string {
  return normalizeInput(text)
    .toLowerCase()
    .replace(/[\s\u0F0B\u0F0D\u0F0E\u0F14。！!？?，,.]+$/u, '')
    .replace(/^[\s/]+/, '');
}
