import type { Choice, OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import type { Translator } from '../i18n.js';
import type { PolicyCard } from '../knowledge/card.schema.js';

/** Prefix of the choice ids of the policy Q&A (`kb#d:<cardId>` …); short enough for Telegram. */
export const KB_CHOICE = 'kb#';

function sourceLine(tr: Translator, card: PolicyCard, lang: Lang): string {
  return tr.t(lang, 'kb:source', { source: card.source[lang], reviewed: card.reviewedAt });
}

function feedbackChoices(tr: Translator, lang: Lang): Choice[] {
  return [
    { id: `${KB_CHOICE}y`, label: tr.t(lang, 'kb:choice.helpful') },
    { id: `${KB_CHOICE}n`, label: tr.t(lang, 'kb:choice.notHelpful') },
    { id: `${KB_CHOICE}m`, label: tr.t(lang, 'common:choice.menu') },
  ];
}

/**
 * The answer to what was asked, first and short (the card's title and short answer); the source
 * and its review date are one tap away under "details", with "where / what to bring" and
 * "helpful?" buttons.
 */
export function renderAnswer(
  tr: Translator,
  card: PolicyCard,
  lang: Lang,
  related?: PolicyCard,
): OutgoingMessage {
  // A card that leads into a service (the interview practice, a counsellor) offers it first
  // ("点下面的按钮开始"), and "where to go, what to bring" only when it has documents to bring.
  const choices: Choice[] = [
    ...(card.flow ? [{ id: `${KB_CHOICE}f:${card.id}`, label: tr.t(lang, 'kb:choice.open') }] : []),
    { id: `${KB_CHOICE}d:${card.id}`, label: tr.t(lang, 'kb:choice.details') },
    ...(card.flow && !card.bring
      ? []
      : [{ id: `${KB_CHOICE}w:${card.id}`, label: tr.t(lang, 'kb:choice.where') }]),
    ...(related ? [{ id: `${KB_CHOICE}c:${related.id}`, label: related.title[lang] }] : []),
    ...feedbackChoices(tr, lang),
  ];
  // A situation the question shows (an age of 50) may open help it did not ask about.
  const also = related
    ? `\n\n${tr.t(lang, 'kb:related', { title: related.title[lang], short: related.short[lang] })}`
    : '';
  return { text: `${card.title[lang]}\n${card.short[lang]}${also}`, choices, lang };
}

export function renderDetails(tr: Translator, card: PolicyCard, lang: Lang): OutgoingMessage {
  return {
    text: `${card.title[lang]}\n${card.details[lang]}\n\n${sourceLine(tr, card, lang)}`,
    choices: [
      { id: `${KB_CHOICE}w:${card.id}`, label: tr.t(lang, 'kb:choice.where') },
      ...feedbackChoices(tr, lang),
    ],
    lang,
  };
}

/** Where to go, then the documents to bring, one per line. */
export function renderWhere(tr: Translator, card: PolicyCard, lang: Lang): OutgoingMessage {
  const bring = card.bring?.[lang]
    .split('\n')
    .map((l) => l.trim().replace(/^[-•·*]\s*/u, ''))
    .filter((l) => l.length > 0);
  const parts = [`${tr.t(lang, 'kb:where')}\n${card.where[lang]}`];
  // A line in brackets is a note about the list ("usually; confirm first"), not a document.
  const note = (l: string) => /^[（(].*[）)]$/u.test(l);
  if (bring && bring.length > 0)
    parts.push(
      `${tr.t(lang, 'kb:bring')}\n${bring.map((l) => (note(l) ? l : `• ${l}`)).join('\n')}`,
    );
  return {
    text: parts.join('\n\n'),
    choices: [
      { id: `${KB_CHOICE}d:${card.id}`, label: tr.t(lang, 'kb:choice.details') },
      ...feedbackChoices(tr, lang),
    ],
    lang,
  };
}

/**
 * Not sure: say so, and offer a counsellor. Off-topic (the weather, a mortgage): say what the
 * assistant does help with, rather than sending the person to 12333 about the weather.
 */
export function renderDecline(
  tr: Translator,
  lang: Lang,
  reason: 'offtopic' | 'unsure' = 'unsure',
): OutgoingMessage {
  return {
    text: tr.t(lang, reason === 'offtopic' ? 'kb:offtopic' : 'kb:decline'),
    choices: [
      { id: `${KB_CHOICE}h`, label: tr.t(lang, 'kb:choice.human') },
      { id: `${KB_CHOICE}a`, label: tr.t(lang, 'kb:choice.ask') },
      { id: `${KB_CHOICE}m`, label: tr.t(lang, 'common:choice.menu') },
    ],
    lang,
  };
}
