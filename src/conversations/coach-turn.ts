import type { OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import { coachAnswer, type Rubric } from '../coaching/coach.js';
import type { Translator } from '../i18n.js';

/** Feedback on a practice answer, in the person's language: length, a concrete example, points. */
export function renderCoaching(
  tr: Translator,
  rubric: Rubric,
  text: string,
  lang: Lang,
): OutgoingMessage {
  const c = coachAnswer(rubric, text, lang);
  const t = (key: string, vars?: Record<string, string | number>) =>
    tr.t(lang, `interview:coach.${key}`, vars);
  const list = (ids: string[]) =>
    ids.map((id) => t(`point.${id}`)).join(lang === 'bo' ? '། ' : '、');
  const lines = [
    c.length === 'ok' ? t('length') : t(c.length, { count: c.count }),
    t(c.example ? 'example' : 'noExample'),
  ];
  if (c.covered.length > 0) lines.push(t('covered', { points: list(c.covered) }));
  if (c.missing.length > 0) lines.push(t('missing', { points: list(c.missing) }));
  return { text: lines.join('\n'), lang };
}
