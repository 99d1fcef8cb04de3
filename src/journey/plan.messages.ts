import type { Translator } from '../i18n.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import type { EmploymentDoc, PlanStepDoc } from '../people/person.model.js';
import type { FollowupAnswer } from './employment.service.js';
import { recordToken } from './employment.service.js';
import { lhasaDay } from './plan.format.js';

/** Prefix of the ids of the buttons the journey's worker pushes (answered before the engine). */
export const PRESS = 'jny#';

export type Press =
  /** A reminder's answer: `jny#p:<stepId>:done|not`. */
  | { kind: 'plan'; stepId: string; answer: 'done' | 'not' }
  /** A follow-up's answer: `jny#e:<recordToken>:<1|3>:still|left|help`. */
  | { kind: 'employment'; token: string; months: 1 | 3; answer: FollowupAnswer };

/** "提醒：您计划……，完成了吗？" with 已完成 / 还没有, in the person's language. */
export function reminderMessage(tr: Translator, lang: Lang, step: PlanStepDoc): OutgoingMessage {
  const t = (key: string, p?: Record<string, string>) => tr.t(lang, key, p);
  return {
    text: t('plan:reminder.ask', { text: step.text, date: lhasaDay(new Date(step.due), lang) }),
    lang,
    choices: [
      { id: `${PRESS}p:${step.id}:done`, label: t('plan:reminder.done') },
      { id: `${PRESS}p:${step.id}:not`, label: t('plan:reminder.notYet') },
    ],
  };
}

/** "您还在这份工作吗？" with 还在 / 不在了 / 需要帮助. */
export function followupMessage(
  tr: Translator,
  lang: Lang,
  employment: EmploymentDoc,
  months: 1 | 3,
): OutgoingMessage {
  const t = (key: string, p?: Record<string, string | number>) => tr.t(lang, key, p);
  const base = `${PRESS}e:${recordToken(employment)}:${months}`;
  return {
    text: t('plan:job.ask', { months }),
    lang,
    choices: (['still', 'left', 'help'] as const).map((a) => ({
      id: `${base}:${a}`,
      label: t(`plan:job.${a}`),
    })),
  };
}

/** Reads a pushed button's id; undefined when it is not one of the journey's. */
export function parsePress(id: string): Press | undefined {
  if (!id.startsWith(PRESS)) return undefined;
  const [kind, a = '', b = '', c = ''] = id.slice(PRESS.length).split(':');
  if (kind === 'p' && /^[0-9a-f]{12}$/.test(a) && (b === 'done' || b === 'not'))
    return { kind: 'plan', stepId: a, answer: b };
  if (
    kind === 'e' &&
    /^[0-9a-z]{1,12}$/.test(a) &&
    (b === '1' || b === '3') &&
    (c === 'still' || c === 'left' || c === 'help')
  )
    return { kind: 'employment', token: a, months: b === '1' ? 1 : 3, answer: c };
  return undefined;
}
