/**
 * An age typed where ranges are offered ("52", "我今年五十二了", "ལོ་ ༥༢"): the choice whose range
 * (`45-54`, `55-plus` in its id) holds it. An older person writes their age rather than picking
 * a range; it used to be "please pick one".
 */
export function pickByRange(
  offered: readonly string[],
  text: string,
  /** The text says more than an age (distress): it is read as words, not as a button. */
  saysMore: (text: string) => boolean = () => false,
): string | undefined {
  const ranges = offered
    .map((id) => ({ id, m: /#(\d+)-(\d+|plus)$/u.exec(id) }))
    .filter((r): r is { id: string; m: RegExpExecArray } => r.m !== null);
  if (ranges.length === 0 || text.length > 40) return undefined;
  const n = numberIn(text);
  if (n === undefined || n > MAX_AGE || saysMore(text)) return undefined;
  return ranges.find(({ m }) => n >= Number(m[1]) && (m[2] === 'plus' || n <= Number(m[2])))?.id;
}

const HAN_DIGIT = '零一二三四五六七八九';
/** Above this a number is no age (a year, a phone number's part). */
const MAX_AGE = 100;

/** The one number the text holds (digits of any script, or 五十二), if exactly one. */
function numberIn(text: string): number | undefined {
  const ascii = text.replace(/[０-９༠-༩]/gu, (d) => {
    const c = d.codePointAt(0)!;
    return String(c >= 0xff10 ? c - 0xff10 : c - 0x0f20);
  });
  const found: number[] = [];
  // Not a year ("85年的", "90后", 1985): a birth year is no age.
  for (const m of ascii.matchAll(/\d+(?![\d年后])/gu)) found.push(Number(m[0]));
  for (const m of ascii.matchAll(/([二三四五六七八九])?十([一二三四五六七八九])?(?![年后])/gu))
    found.push(HAN_DIGIT.indexOf(m[1] ?? '一') * 10 + (m[2] ? HAN_DIGIT.indexOf(m[2]) : 0));
  return found.length === 1 ? found[0] : undefined;
}
