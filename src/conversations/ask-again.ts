import type { Effect } from '../engine/flow.schema.js';
import { step } from '../engine/step.js';
import { asksSomething } from '../knowledge/focus.js';
import type { Lang } from '../messaging/lang.js';
import type { ConversationDeps } from './conversation-deps.js';
import { answerQuestion, type QaContext } from './qa-turn.js';
import { renderReplies } from './render-replies.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { Session } from './session.store.js';

/** The policy question typed where a flow waits for something else, answered; else undefined. */
export async function answerAside(
  deps: ConversationDeps,
  ctx: QaContext,
  text: string,
): Promise<Extract<Awaited<ReturnType<typeof answerQuestion>>, { kind: 'replies' }> | undefined> {
  if (!asksSomething(text)) return undefined;
  const decision = deps.knowledge().decide(text, ctx.lang, { distress: ctx.distress });
  if (decision.kind !== 'answer' && decision.kind !== 'clarify') return undefined;
  const asked = await answerQuestion(deps, ctx, text, decision);
  return asked.kind === 'replies' ? asked : undefined;
}

/**
 * The turn that keeps the person where they were (a practice or a form question): what was
 * answered aside, a line (`leadKey`), then the node's question and buttons again.
 */
export function askAgain(
  deps: ConversationDeps,
  turn: {
    state: Session;
    at: string;
    lang: Lang;
    now: number;
    resumed: boolean;
    effects: Effect[];
  },
  leadKey: string,
  aside?: Awaited<ReturnType<typeof answerAside>>,
): { session: Session; replies: OutgoingMessage[]; effects: Effect[] } {
  const again = step(
    deps.flows,
    turn.state,
    { kind: 'goto', node: turn.at },
    { now: turn.now, resumed: turn.resumed },
  );
  const replies = renderReplies(
    [{ say: [{ key: leadKey }], choices: [] }, ...again.replies],
    turn.lang,
    deps.translator,
  );
  return {
    session: {
      ...turn.state,
      ...(aside?.lastQuestion ? { lastQuestion: aside.lastQuestion } : {}),
    },
    replies: [...(aside?.replies ?? []), ...replies],
    effects: turn.effects,
  };
}
