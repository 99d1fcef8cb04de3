import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Types, type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AccountRepo } from '../accounts/account.repo.js';
import { lhasaMonth } from '../lib/lhasa-time.js';
import type { MessageRepo } from '../messages/message.repo.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';
import type { QuestionRepo } from '../questions/question.repo.js';
import type { Outbox } from '../webhooks/outbox.js';
import { chooseCounsellor } from './assign.js';
import { createCaseAftercare } from './case-aftercare.js';
import { caseModels, type CaseDoc, type CaseReason } from './case.model.js';
import { caseKeys } from './keys.js';
import { HANDOFF_JOB, type HandoffJob } from './queue.js';
import { createCaseQueries } from './case.queries.js';
import { summarize } from './summary.js';
import type { ServiceClock } from './service-clock.js';

export interface HandoffDeps {
  mongo: Connection;
  redis: Redis;
  prefix: string;
  log: Logger;
  metrics?: Pick<Metrics, 'cases'>;
  outbox: Outbox;
  queue: Queue<HandoffJob>;
  accounts: Pick<AccountRepo, 'list'>;
  people: Pick<PersonRepo, 'counsellorOf' | 'setCounsellor'>;
  messages: Pick<MessageRepo, 'transcript' | 'append'>;
  questions: Pick<QuestionRepo, 'recentOf'>;
  clock: ServiceClock;
  /** What the person consented to share with a counsellor (their intake and self-assessment). */
  profileOf?: (personId: string) => Promise<Record<string, unknown>>;
}

export interface OpenRequest {
  personId: string;
  channel: ChannelId;
  chatId: string;
  lang: Lang;
  reason: CaseReason;
  now: Date;
  /** A media link to go with the handoff (the voice note it could not understand). */
  mediaUrl?: string;
  /** The person's words of this turn (not in the log yet: it is written after the turn). */
  current?: { text: string; at: Date; mediaUrl?: string };
}

export interface Opened {
  caseId: string;
  /** False: the person already had an open case (nothing new was sent). */
  created: boolean;
  counsellorName: string | null;
  /** Out of working hours: when the office starts again (the person is told). */
  answerFrom: Date | null;
}

/** How many log lines go to the counsellor with the handoff. */
const TRANSCRIPT_LINES = 50;
const SUMMARY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export type HandoffService = ReturnType<typeof createHandoffService>;

/** Cases: opening with a named counsellor, the thread both ways, closing, follow-ups, ratings. */
export function createHandoffService(deps: HandoffDeps) {
  const { Case, CaseEntry } = caseModels(deps.mongo);
  const keys = caseKeys(deps.prefix);
  const enqueue = (job: HandoffJob, opts: { delay?: number; jobId?: string } = {}) =>
    deps.queue.add(job.kind, job, { ...HANDOFF_JOB, ...opts });

  async function counsellorLoad(): Promise<Map<string, number>> {
    const rows = await Case.aggregate<{ _id: string | null; n: number }>([
      { $match: { status: { $in: ['open', 'assigned', 'active'] } } },
      { $group: { _id: '$counsellorId', n: { $sum: 1 } } },
    ]);
    return new Map(rows.filter((r) => r._id).map((r) => [r._id as string, r.n]));
  }

  async function pickCounsellor(personId: string, lang: Lang) {
    const accounts = await deps.accounts.list();
    const counsellors = accounts
      .filter((a) => a.role === 'counsellor' && !a.disabled)
      .map((a) => ({ id: a.id, name: a.displayName ?? a.username, languages: a.languages }));
    if (counsellors.length === 0) return null;
    const own = await deps.people.counsellorOf(personId);
    const chosen = chooseCounsellor(counsellors, lang, own, await counsellorLoad());
    if (chosen && !own) await deps.people.setCounsellor(personId, chosen.id);
    return chosen;
  }

  const queries = createCaseQueries(deps.mongo, deps.messages);
  const aftercare = createCaseAftercare({ Case, enqueue });
  const service = {
    /** The person's open case, if any (one Redis read: every turn asks). */
    async openCaseOf(personId: string): Promise<string | null> {
      return deps.redis.get(keys.open(personId));
    },

    /** What the person consented to share (`{}` before the intake or after a withdrawal). */
    async profileOf(personId: string): Promise<Record<string, unknown>> {
      return (await deps.profileOf?.(personId)) ?? {};
    },

    async get(caseId: string): Promise<CaseDoc | null> {
      return Types.ObjectId.isValid(caseId) ? Case.findById(caseId).lean() : null;
    },

    /**
     * Opens a case (or finds the open one), names a counsellor, sends `handoff.requested` with the
     * transcript and the summary, and starts the first-response timer.
     */
    async open(req: OpenRequest): Promise<Opened> {
      const caseId = new Types.ObjectId();
      // The guard against two open cases of one person (two channels at once).
      const claimed = await deps.redis.set(keys.open(req.personId), caseId.toHexString(), 'NX');
      if (claimed !== 'OK') {
        const existing = await deps.redis.get(keys.open(req.personId));
        const doc = existing ? await service.get(existing) : null;
        if (doc && doc.status !== 'closed')
          return {
            caseId: existing as string,
            created: false,
            counsellorName: doc.counsellorName,
            answerFrom: null,
          };
        await deps.redis.set(keys.open(req.personId), caseId.toHexString());
      }
      try {
        return await createCase(caseId, req);
      } catch (err) {
        await deps.redis.del(keys.open(req.personId)).catch(() => undefined);
        throw err;
      }
    },

    /** Something the person said while the case is open: into the thread and to the counsellor. */
    async forward(
      caseId: string,
      line: { text: string; mediaUrl?: string; at: Date },
    ): Promise<void> {
      await CaseEntry.create({
        caseId: new Types.ObjectId(caseId),
        from: 'person',
        text: line.text,
        mediaUrl: line.mediaUrl ?? null,
        at: line.at,
      });
      await Case.updateOne({ _id: caseId }, { $set: { lastPersonAt: line.at } });
      await deps.outbox.emit(
        'case.message',
        { caseId, text: line.text, ...(line.mediaUrl ? { mediaUrl: line.mediaUrl } : {}) },
        line.at,
      );
    },

    /** True the first time only: the person is told once that the counsellor reads along. */
    async firstForward(caseId: string): Promise<boolean> {
      return (await deps.redis.set(keys.acked(caseId), '1', 'EX', 30 * 86_400, 'NX')) === 'OK';
    },

    /**
     * A counsellor's reply: kept in the thread and the person's log, then delivered by the
     * worker (queued: a channel that is down loses nothing). 'unknown' when no such case.
     */
    async reply(
      caseId: string,
      text: string,
      by: { id: string; name: string } | null,
      now: Date,
    ): Promise<'ok' | 'unknown'> {
      const doc = await service.get(caseId);
      if (!doc) return 'unknown';
      const entry = await CaseEntry.create({
        caseId: doc._id,
        from: 'counsellor',
        text,
        at: now,
        deliveredAt: null,
      });
      const set: Record<string, unknown> = {};
      if (!doc.firstResponseAt) set.firstResponseAt = now;
      if (doc.status === 'open' || doc.status === 'assigned') set.status = 'active';
      if (by && !doc.counsellorId)
        Object.assign(set, { counsellorId: by.id, counsellorName: by.name });
      if (Object.keys(set).length > 0) await Case.updateOne({ _id: doc._id }, { $set: set });
      deps.messages
        .append(doc.personId.toHexString(), doc.channel as ChannelId, [
          { from: 'counsellor', text, at: now },
        ])
        .catch((err: unknown) => deps.log.error({ err, caseId }, 'conversation log write failed'));
      await enqueue(
        { kind: 'reply', entryId: entry._id.toHexString() },
        {
          jobId: `reply-${entry._id.toHexString()}`,
        },
      );
      return 'ok';
    },

    /** Closes the case (counsellor or person); the person is asked to rate it. */
    async close(
      caseId: string,
      by: 'counsellor' | 'person',
      now: Date,
    ): Promise<'ok' | 'unknown' | 'already'> {
      const doc = await service.get(caseId);
      if (!doc) return 'unknown';
      if (doc.status === 'closed') return 'already';
      const res = await Case.updateOne(
        { _id: doc._id, status: { $ne: 'closed' } },
        { $set: { status: 'closed', closedAt: now, closedBy: by, closedMonth: lhasaMonth(now) } },
      );
      if (res.modifiedCount === 0) return 'already';
      const open = keys.open(doc.personId.toHexString());
      if ((await deps.redis.get(open)) === caseId) await deps.redis.del(open);
      deps.metrics?.cases.inc({ event: 'closed' });
      await enqueue({ kind: 'closed', caseId }, { jobId: `closed-${caseId}` });
      return 'ok';
    },

    // After the case: follow-ups and the person's rating (case-aftercare.ts).
    ...aftercare,

    /** A case's counsellor lines the person has not seen (a closed WeChat window); marks them seen. */
    async takeWaiting(caseId: string, now: Date) {
      if (!Types.ObjectId.isValid(caseId)) return [];
      const entries = await CaseEntry.find({
        caseId: new Types.ObjectId(caseId),
        from: 'counsellor',
        deliveredAt: null,
      })
        .sort({ at: 1 })
        .lean();
      if (entries.length > 0)
        await CaseEntry.updateMany(
          { _id: { $in: entries.map((e) => e._id) } },
          { $set: { deliveredAt: now } },
        );
      const doc = await service.get(caseId);
      return entries.map((e) => ({ text: e.text, counsellorName: doc?.counsellorName ?? null }));
    },

    // The read side: lists, threads, the transcript, satisfaction (case.queries.ts).
    ...queries,
  };

  async function createCase(caseId: Types.ObjectId, req: OpenRequest): Promise<Opened> {
    const { personId, now } = req;
    const [questions, transcript, counsellor] = await Promise.all([
      deps.questions.recentOf(personId, new Date(now.getTime() - SUMMARY_WINDOW_MS)),
      // The last 50 lines with the message that asked among them (it is added below).
      deps.messages.transcript(personId, req.current ? TRANSCRIPT_LINES - 1 : TRANSCRIPT_LINES),
      pickCounsellor(personId, req.lang),
    ]);
    if (req.current) transcript.push({ from: 'person', channel: req.channel, ...req.current });
    const summary = summarize({
      questions,
      transcriptLines: transcript.length,
      language: req.lang,
      channel: req.channel,
      distress: req.reason === 'distress',
    });
    const timing = deps.clock.firstResponse(now);
    await Case.create({
      _id: caseId,
      personId: new Types.ObjectId(personId),
      channel: req.channel,
      chatId: req.chatId,
      language: req.lang,
      reason: req.reason,
      status: counsellor ? 'assigned' : 'open',
      counsellorId: counsellor?.id ?? null,
      counsellorName: counsellor?.name ?? null,
      openedAt: now,
      month: lhasaMonth(now),
      assignedAt: counsellor ? now : null,
      dueAt: timing.dueAt,
      summary,
      followups: [],
    });
    const id = caseId.toHexString();
    deps.metrics?.cases.inc({ event: `opened:${req.reason}` });
    await deps.outbox.emit(
      'handoff.requested',
      {
        caseId: id,
        personId,
        language: req.lang,
        channel: req.channel,
        reason: req.reason,
        transcript: transcript.map((l) => ({
          from: l.from,
          text: l.text,
          at: l.at.toISOString(),
          ...(l.mediaUrl ? { mediaUrl: l.mediaUrl } : {}),
        })),
        // Only what the person consented to share: nothing is profiled before the intake.
        profile: (await deps.profileOf?.(personId)) ?? {},
        summary,
        ...(counsellor ? { counsellor: { id: counsellor.id, name: counsellor.name } } : {}),
        ...(req.mediaUrl ? { mediaUrl: req.mediaUrl } : {}),
      },
      now,
    );
    await enqueue(
      { kind: 'sla', caseId: id },
      { delay: Math.max(0, timing.dueAt.getTime() - now.getTime()), jobId: `sla-${id}` },
    );
    return {
      caseId: id,
      created: true,
      counsellorName: counsellor?.name ?? null,
      answerFrom: timing.answerFrom,
    };
  }

  return service;
}
