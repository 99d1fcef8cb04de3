import type { Logger } from 'pino';
import type { InboundEvent, InboundHandler, InboundInput, Lang } from '../channels/channel.js';
import { step } from '../engine/step.js';
import type { FlowSet } from '../engine/flows.js';
import type { Translator } from '../i18n.js';
import { normalizeInput } from '../lib/normalize.js';
import { detectScript } from '../lib/script.js';
import type { Metrics } from '../metrics.js';
import type { MessageRepo } from '../messages/message.repo.js';
import type { PersonRepo } from '../people/person.repo.js';
import type { IntentMatcher } from './intents.js';
import { renderReplies } from './render-replies.js';
import type { Session, SessionStore } from './session.store.js';

export interface ConversationDeps {
  flows: FlowSet;
  translator: Translator;
  intents: IntentMatcher;
  sessions: SessionStore;
  people: PersonRepo;
  messages: MessageRepo;
  log: Logger;
  metrics?: Pick<Metrics, 'turns' | 'turnSeconds'>;
  now?: () => number;
  /** After this long without a message, the person comes back to the menu. */
  resumeAfterMs?: number;
}

const DEFAULT_RESUME_MS = 6 * 60 * 60 * 1000;

/**
 * handle-inbound: lock → session → engine → effects → log → outgoing messages (returned to
 * the adapter, which renders and sends them).
 */
export function createInboundHandler(deps: ConversationDeps): InboundHandler {
  const now = deps.now ?? Date.now;
  const resumeAfter = deps.resumeAfterMs ?? DEFAULT_RESUME_MS;

  const handle: InboundHandler = (event) =>
    deps.sessions.withLock(`${event.channel}:${event.chatId}`, async () => {
      const started = now();
      const input = normalizeEvent(event);
      const { session, resumed } = await loadSession(deps, event, started, resumeAfter);
      const engineInput = deps.intents.toEngineInput(input);
      const result = step(deps.flows, session, engineInput, { now: started, resumed });

      for (const effect of result.effects) {
        if (effect.type === 'setLanguage')
          await deps.people.setLanguage(session.personId, effect.lang);
        else await deps.people.setOutreachOptOut(session.personId, effect.optOut);
      }
      const lang = turnLanguage(input, result.state.lang);
      const replies = renderReplies(result.replies, lang, deps.translator);
      await deps.sessions.set(`${event.channel}:${event.chatId}`, {
        ...result.state,
        personId: session.personId,
      });

      const at = new Date(started);
      await deps.messages.append(session.personId, event.channel, [
        { from: 'person', text: describeInput(input, session, deps), at },
        ...replies.map((r) => ({
          from: 'assistant' as const,
          text: r.text,
          at: new Date(started + 1),
        })),
      ]);
      deps.log.debug(
        {
          channel: event.channel,
          messageId: event.messageId,
          personId: session.personId,
          node: result.state.at,
        },
        'turn handled',
      );
      return replies;
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
  now: number,
  resumeAfter: number,
) {
  const key = `${event.channel}:${event.chatId}`;
  const existing = await deps.sessions.get(key);
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

function normalizeEvent(event: InboundEvent) {
  const input = event.input;
  if (input.kind !== 'text') return input;
  const text = normalizeInput(input.text);
  return text.length > 0 ? { ...input, text } : { kind: 'text' as const, text: '' };
}

/** A message in one script is answered in it; otherwise the chosen language, or both. */
function turnLanguage(input: InboundInput, chosen: Lang | null): Lang | 'both' {
  const script = input.kind === 'text' ? detectScript(input.text) : null;
  return script ?? chosen ?? 'both';
}

/** What goes into the conversation log for the person's side of the turn. */
function describeInput(
  input: ReturnType<typeof normalizeEvent>,
  session: Session,
  deps: ConversationDeps,
): string {
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
