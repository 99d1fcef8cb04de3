import type { Translator } from '../i18n.js';
import type { Choice } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';

/** Prefix of the choice ids the handoff owns (ratings, follow-up answers). */
export const CASE_CHOICE = 'case#';

/** A counsellor's words as the person sees them: who is speaking, then the text. */
export function counsellorLine(
  tr: Translator,
  lang: Lang,
  name: string | null,
  text: string,
): string {
  const who = name
    ? tr.t(lang, 'handoff:from.named', { name })
    : tr.t(lang, 'handoff:from.anonymous');
  return `${who}\n${text}`;
}

/**
 * 1 … 5 (standard 8.1): `case#r:<caseId>:<n>`, in that order, so that the n-th choice is the
 * score n wherever a number is typed ("1" on WeChat's numbered list is 1, very unsatisfied).
 */
export function rateChoices(tr: Translator, lang: Lang, caseId: string): Choice[] {
  return [1, 2, 3, 4, 5].map((n) => ({
    id: `${CASE_CHOICE}r:${caseId}:${n}`,
    label: tr.t(lang, `handoff:rate.${n}`),
  }));
}

/** "All going well" / "I still need help": `case#f:<caseId>:<followupId>:<ok|help>`. */
export function followupChoices(
  tr: Translator,
  lang: Lang,
  caseId: string,
  followupId: string,
): Choice[] {
  return [
    { id: `${CASE_CHOICE}f:${caseId}:${followupId}:ok`, label: tr.t(lang, 'handoff:followup.ok') },
    {
      id: `${CASE_CHOICE}f:${caseId}:${followupId}:help`,
      label: tr.t(lang, 'handoff:followup.help'),
    },
  ];
}

/** Parses a handoff choice id; undefined when it is not one. */
export function parseCaseChoice(
  id: string,
):
  | { kind: 'rate'; caseId: string; rating: number }
  | { kind: 'followup'; caseId: string; followupId: string; answer: 'ok' | 'help' }
  | undefined {
  if (!id.startsWith(CASE_CHOICE)) return undefined;
  const [kind, caseId = '', a = '', b = ''] = id.slice(CASE_CHOICE.length).split(':');
  if (!/^[0-9a-f]{24}$/.test(caseId)) return undefined;
  if (kind === 'r' && /^[1-5]$/.test(a)) return { kind: 'rate', caseId, rating: Number(a) };
  if (kind === 'f' && /^[0-9a-f]{1,24}$/.test(a) && (b === 'ok' || b === 'help'))
    return { kind: 'followup', caseId, followupId: a, answer: b };
  return undefined;
}
