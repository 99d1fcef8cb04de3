import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import mongoose, { type Connection } from 'mongoose';
import type { Lang } from '../messaging/lang.js';
import { personModels, type PlanStepDoc } from '../people/person.model.js';
import { cleanPlanText } from './plan.format.js';
import { JOURNEY_JOB, planJobId, type JourneyJob } from './plan.jobs.js';
import type { PersonLock } from './plan.lock.js';

/** At most this many steps not yet done (standard 7.1(4): a few steps, not a to-do list). */
export const MAX_OPEN_STEPS = 10;
/** Steps kept in all, done ones included. */
const MAX_STEPS = 100;

export type AddOutcome =
  | { kind: 'added'; step: PlanStepDoc }
  /** Unknown person; no profile consent; 10 open steps (or the plan is full); no text left. */
  | { kind: 'unknown' | 'no-consent' | 'full' | 'empty' };

export type StepOutcome =
  { kind: 'done' | 'already' | 'not-yet'; step: PlanStepDoc } | { kind: 'unknown' };

/** What a reminder needs: the step, the person's language, whether they still consent. */
export interface ReminderView {
  step: PlanStepDoc;
  lang: Lang;
  consented: boolean;
}

export interface PlanService {
  /** The person's steps, open ones first by date; null when the person is unknown. */
  list(personId: string): Promise<PlanStepDoc[] | null>;
  openCount(personId: string): Promise<number>;
  /** Adds a step (with the profile consent) and its reminder job at `due`. */
  add(
    personId: string,
    step: { text: string; due: Date; by: PlanStepDoc['by']; createdBy?: string },
    now: Date,
  ): Promise<AddOutcome>;
  done(personId: string, stepId: string, now: Date): Promise<StepOutcome>;
  notYet(personId: string, stepId: string, now: Date): Promise<StepOutcome>;
  reminderOf(personId: string, stepId: string): Promise<ReminderView | null>;
  reminded(personId: string, stepId: string, at: Date): Promise<void>;
}

export interface PlanServiceDeps {
  mongo: Connection;
  queue: Pick<Queue<JourneyJob>, 'add' | 'remove'>;
  /** One change of a person's plan at a time (see PersonLock). */
  lock: PersonLock;
}

export function createPlanService(deps: PlanServiceDeps): PlanService {
  const { Person } = personModels(deps.mongo);
  const valid = (id: string) => mongoose.Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id);
  const load = (personId: string) =>
    valid(personId)
      ? Person.findById(personId, { plan: 1, consent: 1, language: 1 }).lean()
      : Promise.resolve(null);
  const isOpen = (s: PlanStepDoc) => !s.doneAt;

  /** Sets one field of one step, found by index and checked by id (no positional operator). */
  const setStep = (personId: string, stepId: string, field: keyof PlanStepDoc, at: Date) =>
    deps.lock.run(personId, async () => {
      const plan = (await load(personId))?.plan ?? [];
      const i = plan.findIndex((s) => s.id === stepId);
      const step = plan[i];
      if (!step) return null;
      if (field !== 'remindedAt' && step.doneAt) return { step, updated: step, changed: false };
      await Person.updateOne(
        { _id: personId, [`plan.${i}.id`]: stepId },
        { $set: { [`plan.${i}.${field}`]: at } },
      );
      return { step, updated: { ...step, [field]: at }, changed: true };
    });

  return {
    async list(personId) {
      const doc = await load(personId);
      if (!doc) return null;
      return sortSteps(doc.plan ?? []);
    },
    async openCount(personId) {
      return ((await load(personId))?.plan ?? []).filter(isOpen).length;
    },
    async add(personId, input, now) {
      const text = cleanPlanText(input.text);
      if (text.length === 0) return { kind: 'empty' };
      return deps.lock.run(personId, async (): Promise<AddOutcome> => {
        const doc = await load(personId);
        if (!doc) return { kind: 'unknown' };
        if (!doc.consent?.profile) return { kind: 'no-consent' };
        const plan = doc.plan ?? [];
        if (plan.filter(isOpen).length >= MAX_OPEN_STEPS || plan.length >= MAX_STEPS)
          return { kind: 'full' };
        const step: PlanStepDoc = {
          id: randomBytes(6).toString('hex'),
          text,
          due: input.due,
          createdAt: now,
          by: input.by,
          ...(input.createdBy ? { createdBy: input.createdBy } : {}),
          remindedAt: null,
          doneAt: null,
        };
        // The job first: a step is never kept without its reminder (a job without its step
        // finds nothing to do).
        const jobId = planJobId(personId, step.id);
        await deps.queue.add(
          'plan',
          { kind: 'plan', personId, stepId: step.id },
          { ...JOURNEY_JOB, jobId, delay: Math.max(0, input.due.getTime() - now.getTime()) },
        );
        const res = await Person.updateOne(
          { _id: personId, 'consent.profile': { $ne: null } },
          { $push: { plan: step } },
        );
        if (res.modifiedCount === 1) return { kind: 'added', step };
        await deps.queue.remove(jobId);
        return { kind: 'no-consent' };
      });
    },
    async done(personId, stepId, now) {
      const set = await setStep(personId, stepId, 'doneAt', now);
      if (!set) return { kind: 'unknown' };
      if (!set.changed) return { kind: 'already', step: set.step };
      // Done before its day: the reminder is not needed any more.
      await deps.queue.remove(planJobId(personId, stepId)).catch(() => 0);
      return { kind: 'done', step: set.updated };
    },
    async notYet(personId, stepId, now) {
      const set = await setStep(personId, stepId, 'notYetAt', now);
      if (!set) return { kind: 'unknown' };
      return set.changed
        ? { kind: 'not-yet', step: set.updated }
        : { kind: 'already', step: set.step };
    },
    async reminderOf(personId, stepId) {
      const doc = await load(personId);
      const step = doc?.plan?.find((s) => s.id === stepId);
      if (!doc || !step) return null;
      return { step, lang: doc.language ?? 'zh-CN', consented: Boolean(doc.consent?.profile) };
    },
    async reminded(personId, stepId, at) {
      await setStep(personId, stepId, 'remindedAt', at);
    },
  };
}

/** Open steps first, soonest first; then done ones, latest done first. */
export function sortSteps(plan: readonly PlanStepDoc[]): PlanStepDoc[] {
  const time = (d: Date | null | undefined) => (d ? new Date(d).getTime() : 0);
  const open = plan.filter((s) => !s.doneAt).sort((a, b) => time(a.due) - time(b.due));
  const done = plan.filter((s) => s.doneAt).sort((a, b) => time(b.doneAt) - time(a.doneAt));
  return [...open, ...done];
}
