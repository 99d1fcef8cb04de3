import { z } from 'zod';

/** A reference to a node: `node` in the same flow or `flow:node` in another. */
const nodeRef = z.string().regex(/^([a-z][a-z0-9-]*:)?[a-z][a-z0-9.-]*$/, 'node reference');
/** An i18n key: `namespace:key.path`. */
const i18nKey = z.string().regex(/^[a-z][a-zA-Z0-9-]*:[a-zA-Z0-9_.-]+$/, 'i18n key ns:key');
const lang = z.enum(['zh-CN', 'bo']);

/** One text the node says: a key, optionally forced into one language or shown in both. */
export const sayItemSchema = z.union([
  i18nKey,
  z.object({ key: i18nKey, lang: z.union([lang, z.literal('both')]).optional() }).strict(),
]);

export const choiceSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,16}$/),
    label: i18nKey,
    /** Render the label in this language whatever the conversation language (e.g. 中文 / བོད་ཡིག). */
    labelLang: lang.optional(),
    next: nodeRef,
    /** Side effects the conversation layer applies (language choice, outreach opt-out). */
    effects: z.array(z.lazy(() => effectSchema)).optional(),
  })
  .strict();

/** What a person can consent to: a profile, and (separately) its sensitive part. */
export const consentScope = z.enum(['profile', 'sensitive']);
/** The profile fields the intake collects; `disability` and `health` are sensitive. */
export const profileField = z.enum([
  'district',
  'ageGroup',
  'category',
  'skills',
  'wantedWork',
  'languages',
  'contact',
  'disability',
  'health',
]);
/** The journey's named steps (src/journey carries them out). */
export const journeyAction = z.enum([
  'intake-at',
  'intake-done',
  'assessment',
  'mydata',
  'delete',
  'link',
  'unlink',
  /** Shows the person's action plan (standard 7.1(4)): each step, its date, done or not. */
  'plan-show',
  /** The intake's review: offers only the withdrawals of consents the person gave. */
  'review',
]);

/** Job alerts and recommendations (src/jobs carries them out). */
export const jobsAction = z.enum([
  /** Subscribes with the command's arguments or the `keywords` draft. */
  'subscribe',
  /** Subscribes with the profile's wanted work (the intake's offer). */
  'subscribe-wanted',
  'list',
  /** All of them, or the one the command's argument numbers (取消岗位订阅 2). */
  'unsubscribe',
  /** Every subscription of the person: a daily digest, or alerts as they come. */
  'digest',
  'instant',
  'recommend',
]);

/** When a new step of the action plan is due: in 3 days, a week, two weeks, a month (Lhasa). */
export const planDue = z.enum(['3d', '1w', '2w', '1m']);
/** When a person who found a job started (a coarse answer, standard 7.2(6)). */
export const jobStarted = z.enum(['this-week', 'this-month', 'earlier']);

export const effectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('jobs'), action: jobsAction }).strict(),
  z.object({ type: z.literal('setLanguage'), lang }).strict(),
  z.object({ type: z.literal('outreach'), optOut: z.boolean() }).strict(),
  /** Opens a case with a counsellor (the handoff says who will answer and when). */
  z
    .object({
      type: z.literal('handoff'),
      reason: z.enum(['asked', 'not-understood', 'distress', 'voice', 'complaint']),
    })
    .strict(),
  /** Files the turn's text (or the command's arguments) as a complaint with a ticket number. */
  z.object({ type: z.literal('complaint') }).strict(),
  /** Records (or withdraws) the person's consent to a profile, or to its sensitive part. */
  z.object({ type: z.literal('consent'), scope: consentScope, given: z.boolean() }).strict(),
  /**
   * Stores an intake answer on the profile (only with consent; sensitive fields only with the
   * separate consent, encrypted). `add`: one more value of a list (assistance categories).
   */
  z
    .object({
      type: z.literal('profile'),
      field: profileField,
      value: z.string().max(500),
      add: z.boolean().optional(),
    })
    .strict(),
  /** One questionnaire answer kept in the session until the questionnaire ends. */
  z
    .object({
      type: z.literal('answer'),
      q: z.string().regex(/^[a-z0-9-]{1,16}$/),
      value: z.string().regex(/^[A-Za-z0-9-]{1,16}$/),
    })
    .strict(),
  /** A named step of the person's journey the conversation layer carries out (and answers). */
  z.object({ type: z.literal('journey'), action: journeyAction }).strict(),
  /** Adds the step written just before (the session's `plan` draft), due `in`, with a reminder. */
  z.object({ type: z.literal('plan'), in: planDue }).strict(),
  /**
   * Records "I found a job" (employer and work from the session's drafts, when written) and
   * schedules the follow-ups at one and three months.
   */
  z.object({ type: z.literal('employment'), started: jobStarted.optional() }).strict(),
]);

export const nodeSchema = z
  .object({
    say: z.array(sayItemSchema).default([]),
    choices: z.array(choiceSchema).max(10).optional(),
    /** Continue to this node right after saying (no input needed). */
    next: nodeRef.optional(),
    /** This node waits for free text: goes to `next` with it, or (`qa`) answers it from the policy cards. */
    input: z
      .union([
        z
          .object({
            next: nodeRef,
            /** Coach the answer with this rubric (knowledge/coaching) before moving on. */
            coach: z
              .string()
              .regex(/^[a-z0-9-]+$/)
              .optional(),
            /** Store the text on the profile as this field (intake's free-text answers). */
            save: profileField.optional(),
            /**
             * Keep the text in the session under this name for a later node's effect (a plan
             * step, an employer), cleaned and cut to 200 characters; reaching the node forgets
             * an earlier one.
             */
            draft: z
              .string()
              .regex(/^[a-z]{1,16}$/)
              .optional(),
          })
          .strict(),
        z.object({ qa: z.literal(true) }).strict(),
      ])
      .optional(),
    /** Reaching this node asks the policy Q&A this question (an i18n key), as if the person typed it. */
    ask: i18nKey.optional(),
    effects: z.array(effectSchema).optional(),
    /**
     * Reaching this node lets the conversation layer pick where to go from what it knows of the
     * person (consent given? an intake half done?), e.g. `intake` → consent, resume or review;
     * `plan`, `plan-add`, `employment` → the profile consent first (planning is profiling).
     */
    route: z.enum(['intake', 'sensitive', 'assess', 'plan', 'plan-add', 'employment']).optional(),
  })
  .strict();

export const flowSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    version: z.number().int().positive(),
    description: z.string().optional(),
    nodes: z.record(z.string().regex(/^[a-z][a-z0-9.-]*$/), nodeSchema),
  })
  .strict();

export type Flow = z.infer<typeof flowSchema>;
export type FlowNode = z.infer<typeof nodeSchema>;
export type FlowChoice = z.infer<typeof choiceSchema>;
export type SayItem = z.infer<typeof sayItemSchema>;
export type Effect = z.infer<typeof effectSchema>;
export type ConsentScope = z.infer<typeof consentScope>;
export type ProfileField = z.infer<typeof profileField>;
export type JourneyAction = z.infer<typeof journeyAction>;
export type JobsAction = z.infer<typeof jobsAction>;
export type PlanDue = z.infer<typeof planDue>;
export type JobStarted = z.infer<typeof jobStarted>;
export type RouteName = NonNullable<FlowNode['route']>;
