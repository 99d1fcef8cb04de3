import { fileComplaint, openCase } from '../handoff/handoff.turn.js';
import { jobsEffect } from '../jobs/jobs.turn.js';
import { isJourneyEffect, journeyEffect } from '../journey/journey.turn.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { InboundEvent, InboundInput } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { ConversationDeps } from './conversation-deps.js';
import type { TurnResult } from './run-turn.js';
import type { Session } from './session.store.js';

export interface EffectsContext {
  event: InboundEvent;
  /** The session as the turn began (where the person was). */
  session: Session;
  /** The stored session before this turn (null on first contact). */
  current: Session | null;
  turn: TurnResult;
  /** A command's arguments (`/link 123456`, `/subscribe 保安`). */
  args: string | undefined;
  lang: Lang;
  now: Date;
  input: InboundInput;
  said: string;
}

export interface EffectsOutcome {
  /** The session to store (a person linked or erased, drafts and answers used up). */
  next: Session;
  /** What the effects say: it goes before the node's buttons. */
  lead: string[];
  /** Messages after the node's own (a case opened, a complaint filed). */
  after: OutgoingMessage[];
  /** The person was erased (/delete). */
  erased: boolean;
  /** Ids of the node's choices an effect found pointless now (not offered). */
  drop: string[];
}

/** Carries out the effects a turn's nodes and choices named, in order. */
export async function applyEffects(
  deps: ConversationDeps,
  c: EffectsContext,
): Promise<EffectsOutcome> {
  const { event, session, turn, lang, now } = c;
  const after: OutgoingMessage[] = [];
  const lead: string[] = [];
  const ctx = { event, personId: session.personId, lang, now, input: c.input, said: c.said };
  let next: Session = turn.session;
  let erased = false;
  const drop: string[] = [];
  for (const effect of turn.effects) {
    if (isJourneyEffect(effect)) {
      if (!deps.journeyTurn || erased) continue;
      const out = await journeyEffect(
        deps.journeyTurn,
        {
          personId: next.personId,
          channel: event.channel,
          chatId: event.chatId,
          lang,
          now,
          from: session.at,
          at: turn.session.at,
          answers: turn.session.answers,
          args: c.args,
          draft: turn.session.draft,
        },
        effect,
      );
      if (out.text) lead.push(out.text);
      if (out.personId) next = { ...next, personId: out.personId };
      if (out.lang) next = { ...next, lang: out.lang };
      if (out.clearAnswers) next = { ...next, answers: undefined };
      if (out.clearDraft) next = { ...next, draft: undefined };
      if (out.drop) drop.push(...out.drop);
      if (out.erased) erased = true;
      continue;
    }
    switch (effect.type) {
      case 'jobs': {
        if (!deps.jobsTurn || erased) break;
        const out = await jobsEffect(
          deps.jobsTurn,
          {
            personId: next.personId,
            channel: event.channel,
            lang,
            now,
            args: c.args,
            draft: turn.session.draft,
          },
          effect.action,
        );
        if (out.text) lead.push(out.text);
        if (out.clearDraft) next = { ...next, draft: undefined };
        if (out.drop) drop.push(...out.drop);
        break;
      }
      case 'setLanguage':
        // The profile already has it when the session does (a choice pressed twice).
        if (effect.lang !== c.current?.lang)
          await deps.people.setLanguage(session.personId, effect.lang);
        break;
      case 'outreach':
        await deps.people.setOutreachOptOut(session.personId, effect.optOut);
        break;
      case 'handoff':
        after.push(
          ...(deps.cases
            ? await openCase(deps.cases, ctx, effect.reason)
            : [{ text: deps.translator.t(lang, 'main:soon.hotline'), lang }]),
        );
        break;
      case 'complaint': {
        const text = turn.complaintText?.trim() ?? '';
        if (!deps.cases || text.length === 0)
          after.push({ text: deps.translator.t(lang, 'main:complaint.ask'), lang });
        else after.push(...(await fileComplaint(deps.cases, ctx, text)));
        break;
      }
      case 'answer':
        // Kept in the session by the engine.
        break;
    }
  }
  return { next, lead, after, erased, drop };
}
