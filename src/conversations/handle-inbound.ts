import type { InboundEvent, InboundHandler, InboundInput } from '../messaging/inbound.js';
import { normalizeInput } from '../lib/normalize.js';
import { splitText } from '../lib/split-text.js';
import type { ConversationDeps } from './conversation-deps.js';
import { caseTurn } from '../handoff/handoff.turn.js';
import type { OutgoingMessage } from '../messaging/content.js';
import { hintedLang, runTurn, type TurnResult } from './run-turn.js';
import { applyEffects } from './apply-effects.js';
import { readInput } from './read-input.js';
import { journeyPress } from '../journey/plan.turn.js';
import type { Lang } from '../messaging/lang.js';
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
      const said = describeInput(input, session, deps);
      const turn = await takeTurn(deps, event, session, input, said, started, resumed, current);
      const last = turn.replies.at(-1);
      const offered = last?.choices?.map((c) => c.id);
      const { offered: _old, offeredLang: _oldLang, ...rest } = turn.session;
      if (turn.erased) return { next: erasedSession(), result: turn.replies };
      // A text read only in part says so (before the buttons, which stay last).
      if (input.kind === 'text' && input.cut && last) {
        const lang = last.lang;
        turn.replies.splice(-1, 0, { text: deps.translator.t(lang, 'common:tooLong'), lang });
      }
      const shownIn = offered?.length && last?.lang !== rest.lang ? last?.lang : undefined;
      const next: Session = {
        ...rest,
        updatedAt: started,
        ...(offered && offered.length > 0 ? { offered } : {}),
        ...(shownIn ? { offeredLang: shownIn } : {}),
      };
      const at = new Date(started);
      // The log is written in the background (group commit): the reply never waits for it.
      // (Under the person the turn ends with: a chat just linked logs into the joined person.)
      deps.messages
        .append(turn.session.personId, event.channel, [
          { from: 'person', text: said, at, ...mediaOf(input, deps) },
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

/**
 * One pass: the message read once (intent, command arguments, a typed number, script,
 * distress) → the open case (while a counsellor has the conversation the assistant only
 * forwards) → the engine step and its named actions (the policy Q&A, a node's question) → the
 * effects it asked for (language, opt-out, a case, a complaint), whose replies follow its own.
 */
async function takeTurn(
  deps: ConversationDeps,
  event: InboundEvent,
  session: Session,
  input: InboundInput,
  said: string,
  started: number,
  resumed: boolean,
  current: Session | null,
): Promise<TurnResult> {
  const now = new Date(started);
  // What the message is — command, keyword, number, script, distress — read once for the turn.
  let reading = readInput(deps, session, input);
  // Before a language is chosen: the script written in, else the channel's hint.
  const written = reading.script;
  const lang = session.lang ?? written ?? hintedLang(event.languageHint) ?? 'zh-CN';
  let before: OutgoingMessage[] = [];
  // A pushed reminder's or follow-up's button: recorded, then the node that answers it.
  const pressed = await journeyPress(deps.journeyTurn?.plans, {
    personId: session.personId,
    channel: event.channel,
    chatId: event.chatId,
    input,
    now,
  });
  if (pressed) reading = { ...reading, input: { kind: 'goto', node: pressed.node } };
  else if (deps.cases) {
    const pre = await caseTurn(deps.cases, {
      event,
      personId: session.personId,
      // In the script written (དཀར་ཆག ends a case in Tibetan in a Chinese chat, as the menu after).
      lang: written ?? lang,
      input,
      engineInput: reading.input,
      distress: reading.distress,
      said,
      now,
    });
    if (pre.kind === 'handled') return { session, replies: pre.replies, effects: [] };
    before = pre.before;
  }
  const turn = await runTurn(deps, event, session, reading, started, resumed);
  const turnLang = written ?? turn.session.lang ?? lang;
  const { next, lead, after, erased, drop } = await applyEffects(deps, {
    event,
    session,
    current,
    turn,
    args: reading.input.kind === 'goto' ? reading.input.args : undefined,
    lang: turnLang,
    now,
    input,
    said,
  });
  const own = withLead(withoutChoices(turn.replies, drop), lead, turnLang);
  return {
    ...turn,
    session: next,
    replies: [...before, ...own.filter((r) => r.text || r.choices?.length), ...after],
    ...(erased ? { erased } : {}),
  };
}

/** The replies without the choices an effect dropped (`jobs:list#all` for `all`). */
function withoutChoices(replies: OutgoingMessage[], drop: string[]): OutgoingMessage[] {
  if (drop.length === 0) return replies;
  const dropped = (id: string) => drop.includes(id.slice(id.indexOf('#') + 1));
  return replies.map((r) =>
    r.choices ? { ...r, choices: r.choices.filter((c) => !dropped(c.id)) } : r,
  );
}

/** What the journey says is the node's text: it goes before the node's buttons. */
function withLead(replies: OutgoingMessage[], lead: string[], lang: Lang): OutgoingMessage[] {
  if (lead.length === 0) return replies;
  const text = lead.join('\n\n');
  const [first, ...rest] = replies;
  if (first && first.text.length === 0) return [{ ...first, text }, ...rest];
  return [{ text, lang }, ...replies];
}

/** After /delete: nothing of the person stays, and their next message is a first contact. */
const erasedSession = (): Session => ({
  v: 1,
  at: 'language:choose',
  lang: null,
  updatedAt: 0,
  personId: '',
});

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
  const cap = TEXT_CAP[event.channel];
  // A command's words are text too (/complaint with 12,000 characters was stored whole).
  if (input.kind === 'command') {
    const head = input.args.length > cap * 2 ? input.args.slice(0, cap * 2) : input.args;
    const args = normalizeInput(head);
    return { ...input, args: args.length > cap ? splitText(args, cap)[0]! : args };
  }
  if (input.kind !== 'text') return input;
  // Normalising a huge text would already cost: look at a few times the cap at most (cut at a
  // safe place: its end is read too).
  const head =
    input.text.length > cap * 4
      ? splitText(input.text.slice(0, cap * 4 + 16), cap * 4)[0]!
      : input.text;
  const text = normalizeInput(head);
  if (text.length <= cap) return { kind: 'text', text };
  // The beginning and the end (a long story usually ends with its question), each cut at a safe
  // place; the middle is read for distress only (a story that says "我不想活了" in the middle).
  const half = Math.floor((cap - CUT_MARK.length) / 2);
  const pieces = splitText(text, half);
  const start = pieces[0]!;
  let end = pieces.at(-1)!;
  for (let i = pieces.length - 2; i > 0 && end.length + pieces[i]!.length + 1 <= half; i--)
    end = `${pieces[i]!} ${end}`;
  const middle = text.slice(start.length, text.length - end.length).trim();
  return { kind: 'text', text: `${start}${CUT_MARK}${end}`, beyond: middle, cut: true };
}

/** Where the middle of a text too long to read was left out. */
const CUT_MARK = '\n…\n';

/** A voice note's or photo's link (this service's own, expiring) for the log and the counsellor. */
function mediaOf(input: InboundInput, deps: ConversationDeps): { mediaUrl?: string } {
  const url = input.kind === 'media' && input.ref ? deps.cases?.mediaLink?.(input.ref) : undefined;
  return url ? { mediaUrl: url } : {};
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
