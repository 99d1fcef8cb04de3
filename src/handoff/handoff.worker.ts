import { STALLS_ALLOWED } from '../lib/stalls.js';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Types, type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Translator } from '../i18n.js';
import { createKeyLock } from '../lib/key-lock.js';
import type { QuietHours } from '../lib/quiet-hours.js';
import type { OutgoingMessage } from '../messaging/content.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { SendError, type Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import type { Outbox } from '../webhooks/outbox.js';
import { caseModels, setFollowupField, type CaseDoc } from './case.model.js';
import { caseKeys } from './keys.js';
import { createCaseState } from './turn-state.js';
import { HANDOFF_QUEUE, type HandoffJob } from './queue.js';
import { counsellorLine, rateChoices, followupChoices } from './messages.js';
import { throttledWarn } from '../lib/log-throttle.js';

export interface HandoffWorkerDeps {
  redisUrl: string;
  redis: Redis;
  prefix: string;
  mongo: Connection;
  log: Logger;
  metrics: Pick<Metrics, 'cases'>;
  senders: ReadonlyMap<ChannelId, Sender>;
  translator: Translator;
  outbox: Outbox;
  quietHours: QuietHours;
  publicUrl?: string | undefined;
  now?: () => Date;
}

/**
 * Sends what concerns a case to its person — counsellor replies (never held by quiet hours),
 * the closing and its rating question, follow-ups (held by quiet hours), complaint outcomes —
 * and escalates a case nobody answered in time (`case.escalated`).
 */
export async function startHandoffWorker(deps: HandoffWorkerDeps) {
  const { Case, CaseEntry, Complaint } = caseModels(deps.mongo);
  const keys = caseKeys(deps.prefix);
  const state = createCaseState(deps.redis, deps.prefix);
  const now = deps.now ?? (() => new Date());
  const t = (lang: Lang, key: string, p?: Record<string, string | number>) =>
    deps.translator.t(lang, key, p);
  const replyLock = createKeyLock(deps.redis, deps.prefix, 'case-reply');
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', throttledWarn(deps.log, 'redis (handoff worker) connection error'));

  /** Sends to the chat the case came from; false when the channel cannot now (WeChat window). */
  async function deliver(
    doc: Pick<CaseDoc, 'channel' | 'chatId' | 'personId' | 'language'>,
    messages: OutgoingMessage[],
    caseId?: string,
  ) {
    const sender = deps.senders.get(doc.channel as ChannelId);
    if (!sender) throw new UnrecoverableError(`no sender for ${doc.channel}`);
    try {
      await sender.send(doc.chatId, messages, { maxWaitMs: 2000 });
      // A typed number answers these buttons (WeChat shows them as a numbered list).
      const ids = messages.at(-1)?.choices?.map((c) => c.id) ?? [];
      if (ids.length > 0)
        await deps.redis.set(
          keys.pushed(doc.channel, doc.chatId),
          JSON.stringify(ids),
          'EX',
          7 * 86_400,
        );
      return true;
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      if (err.kind === 'windowClosed') {
        // WeChat outside the 48-hour window: a template says a reply waits; shown in full when
        // the person writes back.
        if (caseId)
          await deps.redis.set(keys.waiting(doc.personId.toHexString()), caseId, 'EX', 30 * 86_400);
        await sender
          .sendNotification?.(doc.chatId, {
            lang: doc.language,
            title: t(doc.language, 'handoff:waiting.title'),
            summary: t(doc.language, 'handoff:waiting.summary'),
          })
          .catch((e: unknown) => deps.log.warn({ err: e, caseId }, 'reply-waiting notice failed'));
        return false;
      }
      if (err.kind === 'blocked' || err.kind === 'rejected')
        throw new UnrecoverableError(`${doc.channel}: ${err.kind}`);
      throw err;
    }
  }

  const handlers = {
    async reply(job: { entryId: string }) {
      const entry = await CaseEntry.findById(job.entryId).lean();
      if (!entry || entry.deliveredAt) return;
      const doc = await Case.findById(entry.caseId).lean();
      if (!doc) return;
      const lang = doc.language;
      // In the order written: the case's earlier replies not yet delivered go first, one case
      // at a time (each reply was its own job, and a 429 or a retry reordered them).
      await replyLock.run(doc._id.toHexString(), async () => {
        const due = await CaseEntry.find({
          caseId: doc._id,
          from: 'counsellor',
          deliveredAt: null,
          failedAt: null,
          at: { $lte: entry.at },
        })
          .sort({ at: 1, _id: 1 })
          .lean();
        for (const e of due) {
          let sent: boolean;
          try {
            sent = await deliver(
              doc,
              [{ text: counsellorLine(deps.translator, lang, doc.counsellorName, e.text), lang }],
              doc._id.toHexString(),
            );
          } catch (err) {
            // Refused for good (blocked, the content rejected): marked, so the case's later
            // replies are not held behind it for ever.
            if (err instanceof UnrecoverableError)
              await CaseEntry.updateOne({ _id: e._id }, { $set: { failedAt: now() } });
            if (err instanceof UnrecoverableError && !e._id.equals(entry._id)) continue;
            throw err;
          }
          if (!sent) return; // WeChat's window closed: they wait for the person to write
          await CaseEntry.updateOne({ _id: e._id }, { $set: { deliveredAt: now() } });
        }
      });
    },
    async closed(job: { caseId: string }) {
      const doc = await Case.findById(job.caseId).lean();
      if (!doc || doc.status !== 'closed') return;
      // Someone who left before any counsellor answered has no service to rate.
      if (doc.closedBy === 'person' && !doc.firstResponseAt) return;
      const lang = doc.language;
      const text =
        doc.closedBy === 'counsellor'
          ? `${t(lang, 'handoff:closed')}\n\n${t(lang, 'handoff:rate.ask')}`
          : t(lang, 'handoff:rate.ask');
      await deliver(doc, [{ text, lang, choices: rateChoices(deps.translator, lang, job.caseId) }]);
    },
    async sla(job: { caseId: string }) {
      const doc = await Case.findById(job.caseId).lean();
      if (!doc || doc.status === 'closed' || doc.firstResponseAt || doc.escalatedAt) return;
      const at = now();
      const res = await Case.updateOne(
        { _id: doc._id, escalatedAt: null },
        { $set: { escalatedAt: at } },
      );
      if (res.modifiedCount === 0) return;
      const waitedMinutes = Math.round((at.getTime() - doc.openedAt.getTime()) / 60_000);
      await deps.outbox.emit('case.escalated', { caseId: job.caseId, waitedMinutes }, at);
      deps.metrics.cases.inc({ event: 'escalated' });
    },
    async followup(job: { caseId: string; followupId: string }, raw: Job, token?: string) {
      const quiet = deps.quietHours.msUntilEnd(now());
      if (quiet > 0 && token) {
        await raw.moveToDelayed(Date.now() + quiet, token);
        throw new DelayedError();
      }
      const doc = await Case.findById(job.caseId).lean();
      const fu = doc?.followups.find((f) => f.id === job.followupId);
      if (!doc || !fu || fu.sentAt) return;
      const lang = doc.language;
      const text = fu.note
        ? t(lang, 'handoff:followup.withNote', { note: fu.note })
        : t(lang, 'handoff:followup.plain');
      await deliver(doc, [
        { text, lang, choices: followupChoices(deps.translator, lang, job.caseId, fu.id) },
      ]);
      await setFollowupField(Case, job.caseId, fu.id, 'sentAt', now());
      await state.setAwaiting(doc.personId.toHexString(), {
        kind: 'followup',
        caseId: job.caseId,
        followupId: fu.id,
      });
    },
    async outcome(job: { ticketId: string }) {
      const c = await Complaint.findById(job.ticketId).lean();
      if (!c?.outcome) return;
      const lang = c.language;
      await deliver(
        { channel: c.channel, chatId: c.chatId, personId: c.personId, language: lang },
        [
          {
            text: t(lang, 'handoff:complaint.outcome', { ticket: c._id, outcome: c.outcome }),
            lang,
          },
        ],
      );
    },
  };

  const worker = new Worker<HandoffJob>(
    HANDOFF_QUEUE,
    async (job, token) => {
      const data = job.data;
      if (data.kind !== 'reply' && 'caseId' in data && !Types.ObjectId.isValid(data.caseId)) return;
      switch (data.kind) {
        case 'reply':
          return handlers.reply(data);
        case 'closed':
          return handlers.closed(data);
        case 'sla':
          return handlers.sla(data);
        case 'followup':
          return handlers.followup(data, job, token);
        case 'outcome':
          return handlers.outcome(data);
      }
    },
    { connection, prefix: `${deps.prefix}bull`, concurrency: 10, maxStalledCount: STALLS_ALLOWED },
  );
  worker.on('error', throttledWarn(deps.log, 'handoff worker error'));
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      deps.log.error({ err: err.message, kind: job.data.kind }, 'handoff job given up');
  });
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
