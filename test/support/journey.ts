import { pino } from 'pino';
import type { CoreDeps } from '../../src/deps.js';
import { startJourneyWorkers } from '../../src/journey/journey.workers.js';
import type { Planning } from '../../src/journey/plan.index.js';
import { startTestApp, type TestApp } from './app.js';

export type PlanTestApp = TestApp & { planning: Planning };

/** The real app (`startTestApp`, listening) and its action-plan services. */
export async function startPlanTestApp(env: Record<string, string> = {}): Promise<PlanTestApp> {
  const t = await startTestApp(env);
  return Object.assign(t, { planning: t.deps.journey.planning });
}

/** The worker role's journey on a process's core, with a clock the test moves. */
export function startJourneyTestWorkers(core: CoreDeps, opts: { now?: () => Date } = {}) {
  return startJourneyWorkers({
    ...core,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(opts.now ? { now: opts.now } : {}),
  });
}
