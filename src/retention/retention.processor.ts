import type { MessageRepo } from '../messages/message.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';

export interface RetentionDeps {
  messages: Pick<MessageRepo, 'deleteOlderThan'>;
  questions: Pick<QuestionRepo, 'deleteOlderThan'>;
  retentionMessagesDays: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Pure processor: deletes conversation log entries and stored questions older than RETENTION_MESSAGES_DAYS. */
export async function runMessageRetention(
  deps: RetentionDeps,
): Promise<{ deleted: number; before: string }> {
  const before = new Date((deps.now ?? Date.now)() - deps.retentionMessagesDays * DAY_MS);
  const deleted =
    (await deps.messages.deleteOlderThan(before)) + (await deps.questions.deleteOlderThan(before));
  return { deleted, before: before.toISOString() };
}
