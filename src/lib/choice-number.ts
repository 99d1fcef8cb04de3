/**
 * "2", "２", "༢", "二", "第二个", "གཉིས་པ", "གཉིས", "2." → 2: a reply that picks the nth choice of a numbered list (WeChat shows
 * choices as one); undefined for anything else.
 */
export function choiceNumber(text: string): number | undefined {
  const han = HAN_NUMBERS.indexOf(text.trim().replace(/^第|[个個項项]$/gu, ''));
  if (han > 0) return han;
  // Tibetan ordinals: དང་པོ, གཉིས་པ … བཅུ་པ (with or without a closing tsheg or shad).
  const word = text.trim().replace(/[\u0F0B\u0F0D\u0F0E\s]+$/u, '');
  const bo = BO_ORDINALS.indexOf(word);
  if (bo > 0) return bo;
  // …and the numbers themselves (གཅིག, གཉིས … བཅུ), as 二 is read beside 第二个.
  const cardinal = BO_NUMBERS.indexOf(word);
  if (cardinal > 0) return cardinal;
  // After the digit: a full stop, 。 、 ) or their full-width forms, or a shad (༢།).
  const m = /^([0-9０-９༠-༩]{1,2})[.。、)．）\u0F0D\u0F0E]?$/u.exec(text.trim());
  if (!m?.[1]) return undefined;
  const n = Number([...m[1]].map(toAsciiDigit).join(''));
  return n > 0 ? n : undefined;
}

/** དང་པོ … བཅུ་པ by their value (index 0 unused): "གཉིས་པ" picks the second choice. */
const BO_ORDINALS = [
  '',
  'དང་པོ',
  'གཉིས་པ',
  'གསུམ་པ',
  'བཞི་པ',
  'ལྔ་པ',
  'དྲུག་པ',
  'བདུན་པ',
  'བརྒྱད་པ',
  'དགུ་པ',
  'བཅུ་པ',
];

/** གཅིག … བཅུ by their value (index 0 unused): "བཞི" picks the fourth choice. */
const BO_NUMBERS = ['', 'གཅིག', 'གཉིས', 'གསུམ', 'བཞི', 'ལྔ', 'དྲུག', 'བདུན', 'བརྒྱད', 'དགུ', 'བཅུ'];

/** 一 … 十二 by their value (index 0 unused): "二" picks the second choice. */
const HAN_NUMBERS = [
  '',
  '一',
  '二',
  '三',
  '四',
  '五',
  '六',
  '七',
  '八',
  '九',
  '十',
  '十一',
  '十二',
];

function toAsciiDigit(ch: string): string {
  const c = ch.codePointAt(0) ?? 48;
  if (c >= 0xff10 && c <= 0xff19) return String(c - 0xff10);
  if (c >= 0x0f20 && c <= 0x0f29) return String(c - 0x0f20);
  return ch;
}
