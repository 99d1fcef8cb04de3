import type { Logger } from 'pino';
import type { Rubric } from '../coaching/coach.js';
import type { FlowSet } from '../engine/flows.js';
import type { Translator } from '../i18n.js';
import type { KnowledgeIndex } from '../knowledge/index.js';
import type { MessageRepo } from '../messages/message.repo.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import type { CaseTurnDeps } from '../handoff/handoff.turn.js';
import type { JobsTurnDeps } from '../jobs/jobs.turn.js';
import type { JourneyTurnDeps } from '../journey/journey.turn.js';
import type { IntentMatcher } from './intents.js';
import type { SessionStore } from './session.store.js';

/** What a conversation turn needs, given by the composition root. */
export interface ConversationDeps {
  flows: FlowSet;
  translator: Translator;
  intents: IntentMatcher;
  sessions: SessionStore;
  people: PersonRepo;
  messages: MessageRepo;
  questions: QuestionRepo;
  /** Rubrics for coached answers (knowledge/coaching), by the id a flow node names. */
  coaching?: ReadonlyMap<string, Rubric>;
  /** The policy-card index in use now (reloaded live when cards change). */
  knowledge: () => KnowledgeIndex;
  log: Logger;
  metrics?: Pick<Metrics, 'turns' | 'turnSeconds' | 'questions'>;
  now?: () => number;
  /** Counsellor cases: the turn's first step, and the handoff and complaint effects. */
  cases?: CaseTurnDeps;
  /** The person's journey: consent and intake, /mydata, /delete, /link, the self-assessment. */
  journeyTurn?: JourneyTurnDeps;
  /** Job alerts and recommendations (issue 13); absent: the jobs flow answers with nothing. */
  jobsTurn?: JobsTurnDeps;
  /** "有保安岗位通知我" → the work to subscribe to (with `jobsTurn`). */
  alertWish?: (text: string) => string[] | null;
  /** After this long without a message, the person comes back to the menu. */
  resumeAfterMs?: number;
}
