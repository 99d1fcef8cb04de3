/**
 * What looks like a person's own number: a mainland mobile (11 digits from 1[3-9]) or an ID card
 * number (17 digits and a check digit), full-width digits included. Hotlines (12333, 12356) are
 * short and pass.
 */
const PERSONAL_NUMBER = /(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])(?![0-9])/u;

export function hasPersonalNumber(text: string): boolean {
  const digits = text
    .replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10))
    // Spaces, dashes or dots between the digits ("138 0013 8000", "1-3-8…") hide nothing.
    .replace(/(?<=[0-9])[\s\-.·_]+(?=[0-9])/gu, '');
  return PERSONAL_NUMBER.test(digits);
}
