import type { OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import type { FlowSet } from '../engine/flows.js';
import { step } from '../engine/step.js';
import type { Translator } from '../i18n.js';
import { renderReplies } from './render-replies.js';

/**
 * What a newcomer's `start` says (the bilingual greeting and the language choice), computed
 * without a session, a person or anything stored: a visitor who only opens the page leaves
 * nothing behind. Their first real message (a language button, a question) starts the session.
 */
export function newcomerGreeting(
  deps: { flows: FlowSet; translator: Translator },
  lang: Lang | null,
  now = Date.now(),
): OutgoingMessage[] {
  const fresh = { v: 1 as const, at: 'language:choose', lang: null, updatedAt: now, personId: '' };
  const { replies } = step(deps.flows, fresh, { kind: 'start' }, { now, resumed: false });
  return renderReplies(replies, lang ?? 'both', deps.translator);
}
