/**
 * Approximate re-implementation of Telegram's entity parsing for `parse_mode`.
 *
 * It is not a full parser: it produces the visible ("after entities parsing") text, which
 * is what the 4096-character limit applies to, and it rejects the most common mistakes
 * that make the real Bot API answer `400 Bad Request: can't parse entities: ...`
 * (unescaped reserved characters in MarkdownV2, unknown/unbalanced HTML tags).
 */

export class EntityParseError extends Error {
  constructor(detail: string) {
    super(`Bad Request: can't parse entities: ${detail}`);
    this.name = 'EntityParseError';
  }
}

/** Returns the visible text after parsing, or throws EntityParseError. */
export function visibleText(text: string, parseMode: unknown): string {
  if (typeof parseMode !== 'string' || parseMode === '') return text;
  switch (parseMode.toLowerCase()) {
    case 'html':
      return parseHtml(text);
    case 'markdownv2':
      return parseMarkdownV2(text);
    case 'markdown':
      return parseLegacyMarkdown(text);
    default:
      throw new BadParseMode(parseMode);
  }
}

export class BadParseMode extends Error {
  constructor(mode: string) {
    super(`Bad Request: unsupported parse_mode "${mode}"`);
    this.name = 'BadParseMode';
  }
}

const byteOffset = (text: string, index: number): number =>
  Buffer.byteLength(text.slice(0, index), 'utf8');

// ---------------------------------------------------------------- HTML

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function decodeHtmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) {
      return String.fromCodePoint(parseInt(body.slice(2), 16));
    }
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function parseHtml(text: string): string {
  let out = '';
  const stack: string[] = [];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, lt);
    const gt = text.indexOf('>', lt);
    if (gt === -1) {
      throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(text, lt)}`);
    }
    const inner = text.slice(lt + 1, gt);
    const closing = inner.startsWith('/');
    const name = (closing ? inner.slice(1) : inner).trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (closing) {
      const open = stack.pop();
      if (open === undefined || (name !== '' && name !== open)) {
        throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset(text, lt)}`);
      }
    } else {
      if (!HTML_TAGS.has(name)) {
        throw new EntityParseError(
          `Unsupported start tag "${name}" at byte offset ${byteOffset(text, lt)}`,
        );
      }
      stack.push(name);
    }
    i = gt + 1;
  }
  const unclosed = stack.pop();
  if (unclosed !== undefined) {
    throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed}"`);
  }
  return decodeHtmlEntities(out);
}

// ---------------------------------------------------------------- MarkdownV2

const MDV2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));

function parseMarkdownV2(text: string): string {
  let out = '';
  // open formatting markers: '*', '_', '__', '~', '||', '['
  const open: Array<{ marker: string; at: number }> = [];
  let i = 0;
  const atLineStart = (idx: number): boolean => idx === 0 || text[idx - 1] === '\n';
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) {
        throw new EntityParseError(
          `Character '\\' is reserved and must be escaped with the preceding '\\'`,
        );
      }
      out += next;
      i += 2;
      continue;
    }
    if (ch === '`') {
      const isPre = text.startsWith('```', i);
      const fence = isPre ? '```' : '`';
      let j = i + fence.length;
      let content = '';
      let closed = false;
      while (j < text.length) {
        if (text[j] === '\\' && j + 1 < text.length) {
          content += text[j + 1];
          j += 2;
          continue;
        }
        if (text.startsWith(fence, j)) {
          closed = true;
          break;
        }
        content += text[j];
        j++;
      }
      if (!closed) {
        throw new EntityParseError(
          `Can't find end of Code entity at byte offset ${byteOffset(text, i)}`,
        );
      }
      if (isPre) {
        // optional language on the first line
        const nl = content.indexOf('\n');
        if (nl !== -1 && /^[\w+-]*$/.test(content.slice(0, nl))) content = content.slice(nl + 1);
      }
      out += content;
      i = j + fence.length;
      continue;
    }
    if (ch === '*' || ch === '~') {
      toggle(ch);
      i += 1;
      continue;
    }
    if (ch === '_') {
      const marker = text.startsWith('__', i) ? '__' : '_';
      toggle(marker);
      i += marker.length;
      continue;
    }
    if (ch === '|' && text[i + 1] === '|') {
      toggle('||');
      i += 2;
      continue;
    }
    if (ch === '[') {
      open.push({ marker: '[', at: i });
      i += 1;
      continue;
    }
    if (ch === ']' && open.at(-1)?.marker === '[') {
      open.pop();
      if (text[i + 1] !== '(') {
        throw new EntityParseError(
          `Can't find end of the entity starting at byte offset ${byteOffset(text, i)}`,
        );
      }
      let j = i + 2;
      while (j < text.length && text[j] !== ')') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) {
        throw new EntityParseError(
          `Can't find end of the entity starting at byte offset ${byteOffset(text, i)}`,
        );
      }
      i = j + 1;
      continue;
    }
    if (ch === '>' && atLineStart(i)) {
      i += 1; // blockquote marker
      continue;
    }
    if (MDV2_RESERVED.has(ch)) {
      throw new EntityParseError(
        `Character '${ch}' is reserved and must be escaped with the preceding '\\'`,
      );
    }
    out += ch;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) {
    throw new EntityParseError(
      `Can't find end of the entity starting at byte offset ${byteOffset(text, unclosed.at)}`,
    );
  }
  return out;

  function toggle(marker: string): void {
    const top = open.at(-1);
    if (top?.marker === marker) open.pop();
    else open.push({ marker, at: i });
  }
}

// ---------------------------------------------------------------- legacy Markdown

function parseLegacyMarkdown(text: string): string {
  // Legacy Markdown: *bold* _italic_ `code` ```pre``` [text](url); '\' escapes.
  let out = '';
  let i = 0;
  let openAt = -1;
  let openMarker = '';
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length && '_*`['.includes(text[i + 1] as string)) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '*' || ch === '_' || ch === '`') {
      if (openMarker === ch) {
        openMarker = '';
        openAt = -1;
      } else if (openMarker === '') {
        openMarker = ch;
        openAt = i;
      } else {
        out += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '[' && openMarker === '') {
      const m = /^\[([^\]]*)\]\(([^)]*)\)/.exec(text.slice(i));
      if (m) {
        out += m[1];
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  if (openAt !== -1) {
    throw new EntityParseError(
      `Can't find end of the entity starting at byte offset ${byteOffset(text, openAt)}`,
    );
  }
  return out;
}
