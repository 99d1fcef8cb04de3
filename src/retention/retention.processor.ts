import type { MessageRepo } from '../messages/message.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';

export interface RetentionDeps {
  messages: Pick<MessageRepo, 'deleteOlderThan'>;
  questions: Pick<QuestionRepo, 'deleteOlderThan'>;
  retentionMessagesDays: number;
  /** Closed cases and resolved complaints (RETENTION_CASES_DAYS), settled webhook events. */
  cases?: {
    deleteCasesBefore(before: Date): Promise<number>;
    deleteEventsBefore(before: Date): Promise<number>;
  };
  retentionCasesDays?: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes conversation log entries, stored questions and settled webhook events older than
 * RETENTION_MESSAGES_DAYS, and closed cases and resolved complaints older than
 * RETENTION_CASES_DAYS.
 */
export async function runMessageRetention(
  deps: RetentionDeps,
): Promise<{ deleted: number; before: string }> {
  const before = new Date((deps.now ?? Date.now)() - deps.retentionMessagesDays * DAY_MS);
  let deleted =
    (await deps.messages.deleteOlderThan(before)) + (await deps.questions.deleteOlderThan(before));
  if (deps.cases) {
    deleted += await deps.cases.deleteEventsBefore(before);
    const days = deps.retentionCasesDays ?? 1095;
    deleted += await deps.cases.deleteCasesBefore(
      new Date((deps.now ?? Date.now)() - days * DAY_MS),
    );
  }
  return { deleted, before: before.toISOString() };
}
