import type { InboundEvent, InboundHandler, InboundInput } from '../messaging/inbound.js';
import { normalizeInput } from '../lib/normalize.js';
import { splitText } from '../lib/split-text.js';
import type { ConversationDeps } from './conversation-deps.js';
import { runTurn } from './run-turn.js';
import type { Session } from './session.store.js';

export type { ConversationDeps } from './conversation-deps.js';

const DEFAULT_RESUME_MS = 6 * 60 * 60 * 1000;

/**
 * handle-inbound: lock → session → intents → policy Q&A or engine → effects → log → outgoing
 * messages (returned to the adapter, which renders and sends them).
 */
export function createInboundHandler(deps: ConversationDeps): InboundHandler {
  const now = deps.now ?? Date.now;
  const resumeAfter = deps.resumeAfterMs ?? DEFAULT_RESUME_MS;

  const handle: InboundHandler = (event) =>
    deps.sessions.withSession(`${event.channel}:${event.chatId}`, async (current) => {
      const started = now();
      const input = normalizeEvent(event);
      const { session, resumed } = await loadSession(deps, event, current, started, resumeAfter);
      const turn = await runTurn(deps, event, session, input, started, resumed);

      for (const effect of turn.effects) {
        if (effect.type === 'setLanguage') {
          // The profile already has it when the session does (a choice pressed twice).
          if (effect.lang !== current?.lang)
            await deps.people.setLanguage(session.personId, effect.lang);
        } else await deps.people.setOutreachOptOut(session.personId, effect.optOut);
      }
      const offered = turn.replies.at(-1)?.choices?.map((c) => c.id);
      const { offered: _old, ...rest } = turn.session;
      const next: Session = {
        ...rest,
        updatedAt: started,
        ...(offered && offered.length > 0 ? { offered } : {}),
      };
      const at = new Date(started);
      // The log is written in the background (group commit): the reply never waits for it.
      deps.messages
        .append(session.personId, event.channel, [
          { from: 'person', text: describeInput(input, session, deps), at },
          ...turn.replies.map((r) => ({
            from: 'assistant' as const,
            text: r.text,
            at: new Date(started + 1),
          })),
        ])
        .catch((err: unknown) =>
          deps.log.error({ err, personId: session.personId }, 'conversation log write failed'),
        );
      deps.log.debug(
        {
          channel: event.channel,
          messageId: event.messageId,
          personId: session.personId,
          node: turn.session.at,
        },
        'turn handled',
      );
      return { next, result: turn.replies };
    });

  return async (event) => {
    const end = deps.metrics?.turnSeconds.startTimer({ channel: event.channel });
    try {
      const replies = await handle(event);
      deps.metrics?.turns.inc({ channel: event.channel, outcome: 'ok' });
      return replies;
    } catch (err) {
      deps.metrics?.turns.inc({ channel: event.channel, outcome: 'error' });
      throw err;
    } finally {
      end?.();
    }
  };
}

async function loadSession(
  deps: ConversationDeps,
  event: InboundEvent,
  existing: Session | null,
  now: number,
  resumeAfter: number,
) {
  if (existing && now - existing.updatedAt < resumeAfter)
    return { session: existing, resumed: false };
  // New or back after a while: start at the menu in the language we know, or ask for one.
  const person = await deps.people.touch(event.channel, event.chatId, new Date(now));
  const lang = person.language ?? existing?.lang ?? null;
  const session: Session = {
    v: 1,
    at: lang ? 'main:menu' : 'language:choose',
    lang,
    updatedAt: now,
    personId: person.id,
  };
  return { session, resumed: !person.isNew && lang !== null };
}

/**
 * The most of one message a channel's person can mean (Telegram's own limit is 4,096; the web
 * page allows 2,000): anything longer is read up to there, cut at a safe place (never inside a
 * Tibetan stack), so no text of any size costs more than this to understand, log or store.
 */
export const TEXT_CAP: Readonly<Record<InboundEvent['channel'], number>> = {
  telegram: 4096,
  web: 2000,
  wechat: 2048,
};

function normalizeEvent(event: InboundEvent): InboundInput {
  const input = event.input;
  if (input.kind !== 'text') return input;
  const cap = TEXT_CAP[event.channel];
  // Normalising a huge text would already cost: look at a little more than the cap first.
  const head = input.text.length > cap * 2 ? input.text.slice(0, cap * 2) : input.text;
  const text = normalizeInput(head);
  return { kind: 'text', text: text.length > cap ? splitText(text, cap)[0]! : text };
}

/** What goes into the conversation log for the person's side of the turn. */
function describeInput(input: InboundInput, session: Session, deps: ConversationDeps): string {
  switch (input.kind) {
    case 'text':
      return input.text;
    case 'command':
      return `/${input.name}${input.args ? ` ${input.args}` : ''}`;
    case 'media':
      return `[${input.media}]`;
    case 'choice': {
      const [ref = session.at, choiceId] = input.id.includes('#')
        ? input.id.split('#')
        : [session.at, input.id];
      const choice = deps.flows.node(ref)?.choices?.find((c) => c.id === choiceId);
      const lang = choice?.labelLang ?? session.lang ?? 'zh-CN';
      return `[${choice ? deps.translator.t(lang, choice.label) : input.id}]`;
    }
  }
}
