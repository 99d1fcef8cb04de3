import type { OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import type { Reply } from '../engine/step.js';
import type { Translator } from '../i18n.js';

/**
 * Turns engine replies into channel-neutral messages in the turn's language. Texts of
 * consecutive replies are joined; a message ends where choices are offered, so a typical
 * turn is one message with its buttons.
 */
export function renderReplies(
  replies: Reply[],
  lang: Lang | 'both',
  tr: Translator,
): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  const msgLang: Lang = lang === 'both' ? 'zh-CN' : lang;
  let texts: string[] = [];
  for (const reply of replies) {
    for (const item of reply.say) {
      const l = item.lang ?? lang;
      texts.push(
        l === 'both' ? `${tr.t('zh-CN', item.key)}\n${tr.t('bo', item.key)}` : tr.t(l, item.key),
      );
    }
    if (reply.choices.length > 0) {
      const choices = reply.choices.map((c) => ({
        id: c.id,
        label: tr.t(c.labelLang ?? msgLang, c.label),
      }));
      out.push({ text: texts.join('\n\n'), choices, lang: msgLang });
      texts = [];
    }
  }
  if (texts.length > 0) out.push({ text: texts.join('\n\n'), lang: msgLang });
  return out;
}
