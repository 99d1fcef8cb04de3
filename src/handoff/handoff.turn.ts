import type { EngineInput } from '../engine/step.js';
import type { Translator } from '../i18n.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { InboundEvent, InboundInput, MediaRef } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { CaseReason } from './case.model.js';
import type { ComplaintService } from './complaints.js';
import type { HandoffService } from './handoff.service.js';
import type { CaseStateStore } from './turn-state.js';
import { choiceNumber } from '../lib/choice-number.js';
import { counsellorLine, parseCaseChoice } from './messages.js';

/** What the conversation layer gives the handoff. */
export interface CaseTurnDeps {
  handoff: HandoffService;
  /** The person's handoff state in Redis, read once a turn. */
  state: CaseStateStore;
  complaints: ComplaintService;
  translator: Translator;
  /** This service's own expiring link to a voice note or photo (none without a public URL). */
  mediaLink?: (ref: MediaRef) => string | undefined;
  complaintDays: number;
  /** A score typed in words at the rating question (glossary `answers.rating`): 很满意 → 5. */
  ratingOf?: (text: string) => number | undefined;
  /** "I'm fine" in everyday words (glossary `answers.fine`): 我没事, ང་སྐྱིད་པོ་ཡོད. */
  saysFine?: (text: string) => boolean;
}

export interface CaseTurnInput {
  event: InboundEvent;
  personId: string;
  lang: Lang;
  input: InboundInput;
  /** What the intents made of it (commands and keywords resolved). */
  engineInput: EngineInput;
  /** The text shows distress (read once for the turn). */
  distress: boolean;
  /** How the person's side reads in the log (`[voice]`, a button's label). */
  said: string;
  now: Date;
}

export type CaseTurn =
  /** The handoff answered the turn (the engine does not run). */
  | { kind: 'handled'; replies: OutgoingMessage[] }
  /** The engine runs; these go first (counsellor replies that waited, "you left the case"). */
  | { kind: 'continue'; before: OutgoingMessage[] };

/**
 * The first step of every turn: counsellor replies that waited for the person, a rating or
 * follow-up button, and the open case — while one is open the assistant answers nothing
 * itself: it forwards everything to the counsellor (distress still gets the hotline at once),
 * says so once, and `/menu` lets the person leave.
 */
export async function caseTurn(deps: CaseTurnDeps, turn: CaseTurnInput): Promise<CaseTurn> {
  const { handoff, state: store } = deps;
  const { lang, personId, now, engineInput } = turn;
  const { channel, chatId } = turn.event;
  const t = (key: string, p?: Record<string, string | number>) => deps.translator.t(lang, key, p);
  const state = await store.read(personId, channel, chatId);
  const before = state.waitingCase
    ? await waitingReplies(deps, personId, state.waitingCase, lang, now)
    : [];

  // "2" typed after a pushed rating or follow-up question (WeChat's numbered list) is its
  // button; whatever the person does, those buttons are used up.
  const typed =
    turn.input.kind === 'text'
      ? (choiceNumber(turn.input.text) ?? typedScore(turn.input.text, state.pushed, deps.ratingOf))
      : undefined;
  const pushed = typed === undefined ? undefined : state.pushed?.[typed - 1];
  if (state.pushed) await store.forgetPushed(channel, chatId);
  const choice = parseCaseChoice(turn.input.kind === 'choice' ? turn.input.id : (pushed ?? ''));
  if (choice?.kind === 'rate') {
    const ok = await handoff.rate(choice.caseId, personId, choice.rating, now);
    if (ok) await store.setAwaiting(personId, { kind: 'comment', caseId: choice.caseId });
    return handled(before, {
      text: t(ok ? 'handoff:rate.thanks' : 'handoff:rate.unknown'),
      lang,
      choices: [menuChoice(t)],
    });
  }
  if (choice?.kind === 'followup') {
    // Someone else's case (a forged or guessed button) is never written to.
    if (!(await handoff.ownsFollowup(choice.caseId, personId, choice.followupId)))
      return handled(before, { text: t('handoff:rate.unknown'), lang, choices: [menuChoice(t)] });
    const label = t(`handoff:followup.${choice.answer}`);
    await answerFollowup(deps, choice.caseId, choice.followupId, label, now);
    if (state.awaiting) await store.setAwaiting(personId, null);
    if (choice.answer === 'help' && !state.openCase)
      return { kind: 'continue', before: [...before, ...(await openCase(deps, turn, 'asked'))] };
    return handled(before, { text: t('handoff:followup.thanks'), lang, choices: [menuChoice(t)] });
  }

  const caseId = state.openCase;
  if (caseId) {
    if (isGoto(engineInput, 'main:menu') || engineInput.kind === 'start') {
      await handoff.close(caseId, 'person', now);
      return { kind: 'continue', before: [...before, { text: t('handoff:left'), lang }] };
    }
    if (isGoto(engineInput, 'main:human'))
      return handled(before, { text: t('handoff:already'), lang });
    // The person's rights over their data (/mydata, /delete, /link) never wait for a counsellor.
    if (isPrivacy(engineInput)) return { kind: 'continue', before };
    const mediaUrl =
      turn.input.kind === 'media' && turn.input.ref ? deps.mediaLink?.(turn.input.ref) : undefined;
    await handoff.forward(caseId, { text: turn.said, ...(mediaUrl ? { mediaUrl } : {}), at: now });
    const replies: OutgoingMessage[] = [];
    if (turn.distress) replies.push({ text: t('psych:distress'), lang });
    // A person taken in for distress, whom no counsellor has answered yet, is never met with
    // silence: each message gets the hotline again (12356 busy, nobody in at night) — unless
    // they say they are fine (a false alarm): heard, with the way back to the menu.
    else if (await waitsWithDistress(handoff, caseId)) {
      const fine = turn.input.kind === 'text' && deps.saysFine?.(turn.input.text);
      if (fine) return handled(before, { text: t('handoff:fine'), lang, choices: [menuChoice(t)] });
      replies.push({ text: t('handoff:stillHere'), lang });
    }
    if (await handoff.firstForward(caseId)) replies.push({ text: t('handoff:forwarded'), lang });
    return { kind: 'handled', replies: [...before, ...replies] };
  }

  const awaiting = state.awaiting;
  if (!awaiting) return { kind: 'continue', before };
  await store.setAwaiting(personId, null);
  // Anything but free text (a command, a button) ends the wait: the person moved on. "好的" is
  // free text here (an answer to "how is it going?"), not an acknowledgement of the assistant.
  // ("帮帮我" too: an answer to "how is it going?", not only the help screen's keyword.)
  const freeText =
    engineInput.kind === 'text' ||
    isGoto(engineInput, 'main:ack') ||
    isGoto(engineInput, 'main:help-me');
  if (!freeText || turn.input.kind !== 'text') return { kind: 'continue', before };
  if (awaiting.kind === 'comment') {
    await handoff.comment(awaiting.caseId, turn.input.text);
    return handled(before, { text: t('handoff:rate.commented'), lang, choices: [menuChoice(t)] });
  }
  await answerFollowup(deps, awaiting.caseId, awaiting.followupId, turn.input.text, now);
  return handled(before, { text: t('handoff:followup.thanks'), lang, choices: [menuChoice(t)] });
}

/**
 * An engine effect: open a case (the person asked, two questions went unanswered, distress, a
 * voice note) and say who will answer and when.
 */
export async function openCase(
  deps: CaseTurnDeps,
  turn: Pick<CaseTurnInput, 'event' | 'personId' | 'lang' | 'now' | 'input' | 'said'>,
  reason: CaseReason,
): Promise<OutgoingMessage[]> {
  const { lang } = turn;
  const t = (key: string, p?: Record<string, string | number>) => deps.translator.t(lang, key, p);
  const mediaUrl =
    turn.input.kind === 'media' && turn.input.ref ? deps.mediaLink?.(turn.input.ref) : undefined;
  const opened = await deps.handoff.open({
    personId: turn.personId,
    channel: turn.event.channel,
    chatId: turn.event.chatId,
    lang,
    reason,
    now: turn.now,
    ...(mediaUrl ? { mediaUrl } : {}),
    current: { text: turn.said, at: turn.now, ...(mediaUrl ? { mediaUrl } : {}) },
  });
  if (!opened.created) return [{ text: t('handoff:already'), lang }];
  const lines = [
    ...(reason === 'not-understood' ? [t('handoff:reason.notUnderstood')] : []),
    ...(reason === 'voice' ? [t('handoff:reason.voice')] : []),
    opened.counsellorName
      ? t('handoff:opened.named', { name: opened.counsellorName })
      : t('handoff:opened.anonymous'),
    ...(opened.answerFrom
      ? [
          t(reason === 'distress' ? 'handoff:outOfHoursDistress' : 'handoff:outOfHours', {
            when: lhasaWhen(opened.answerFrom, lang),
          }),
        ]
      : []),
    t('handoff:howToLeave'),
  ];
  return [{ text: lines.join('\n\n'), lang }];
}

/** An engine effect: a complaint with a ticket number; a counsellor is told as well. */
export async function fileComplaint(
  deps: CaseTurnDeps,
  turn: Pick<CaseTurnInput, 'event' | 'personId' | 'lang' | 'now' | 'input' | 'said'>,
  text: string,
): Promise<OutgoingMessage[]> {
  const { lang } = turn;
  const t = (key: string, p?: Record<string, string | number>) => deps.translator.t(lang, key, p);
  const open = await deps.handoff.openCaseOf(turn.personId);
  const ticket = await deps.complaints.create({
    personId: turn.personId,
    channel: turn.event.channel,
    chatId: turn.event.chatId,
    lang,
    text,
    caseId: open,
    now: turn.now,
    ...(turn.event.messageId
      ? { source: `${turn.event.channel}:${turn.event.chatId}:${turn.event.messageId}` }
      : {}),
  });
  const filed = { text: t('handoff:complaint.filed', { ticket, days: deps.complaintDays }), lang };
  if (open) return [filed];
  return [filed, ...(await openCase(deps, turn, 'complaint'))];
}

/** "1分 很不满意", "5 ཧ་ཅང་ཡིད་ཚིམ" typed at a pushed rating: the score it starts with. */
function typedScore(
  text: string,
  pushed: readonly string[] | null | undefined,
  ratingOf: CaseTurnDeps['ratingOf'],
): number | undefined {
  if (!pushed?.some((id) => parseCaseChoice(id)?.kind === 'rate')) return undefined;
  const m = /^\s*([1-5１-５༡-༥])(?:\s|分|$)/u.exec(text);
  return m?.[1] ? choiceNumber(m[1]) : ratingOf?.(text);
}

async function answerFollowup(
  deps: CaseTurnDeps,
  caseId: string,
  followupId: string,
  text: string,
  now: Date,
) {
  await deps.handoff.forward(caseId, { text, at: now });
  await deps.handoff.followupAnswered(caseId, followupId, now);
}

async function waitingReplies(
  deps: CaseTurnDeps,
  personId: string,
  caseId: string,
  lang: Lang,
  now: Date,
) {
  const waiting = await deps.handoff.takeWaiting(caseId, now);
  await deps.state.forgetWaiting(personId);
  if (waiting.length === 0) return [];
  const lines = waiting.map((w) => counsellorLine(deps.translator, lang, w.counsellorName, w.text));
  return [
    { text: [deps.translator.t(lang, 'handoff:waiting.shown'), ...lines].join('\n\n'), lang },
  ];
}

/** The case was opened for distress and no counsellor has answered yet. */
async function waitsWithDistress(handoff: HandoffService, caseId: string): Promise<boolean> {
  const doc = await handoff.get(caseId);
  return !!doc && doc.reason === 'distress' && !doc.firstResponseAt;
}

const handled = (before: OutgoingMessage[], reply: OutgoingMessage): CaseTurn => ({
  kind: 'handled',
  replies: [...before, reply],
});

/** Back to the menu (a choice of the flows' own `main:handoff-done` node). */
const menuChoice = (t: (k: string) => string) => ({
  id: 'main:handoff-done#menu',
  label: t('common:choice.menu'),
});

const isGoto = (input: EngineInput, node: string) => input.kind === 'goto' && input.node === node;
const isPrivacy = (input: EngineInput) =>
  (input.kind === 'goto' && input.node.startsWith('privacy:')) ||
  (input.kind === 'choice' && input.id.startsWith('privacy:'));

/** "12月7日 09:30" / Tibetan month-day form, in Lhasa time. */
function lhasaWhen(at: Date, lang: Lang): string {
  const l = new Date(at.getTime() + 8 * 3_600_000);
  const hh = String(l.getUTCHours()).padStart(2, '0');
  const mm = String(l.getUTCMinutes()).padStart(2, '0');
  const month = l.getUTCMonth() + 1;
  const day = l.getUTCDate();
  return lang === 'bo'
    ? `ཟླ་${toTibetanDigits(month)} ཚེས་${toTibetanDigits(day)} ${toTibetanDigits(hh)}:${toTibetanDigits(mm)}`
    : `${month}月${day}日 ${hh}:${mm}`;
}

function toTibetanDigits(n: number | string): string {
  return String(n).replace(/[0-9]/g, (d) => String.fromCharCode(0x0f20 + Number(d)));
}
