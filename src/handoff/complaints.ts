import { createHash, randomInt } from 'node:crypto';
import type { Queue } from 'bullmq';
import { Types, type Connection } from 'mongoose';
import { onlyDuplicates } from '../lib/db-errors.js';
import type { ChannelId } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import { eventIdOf, type Outbox } from '../webhooks/outbox.js';
import { caseModels, type ComplaintDoc } from './case.model.js';
import { HANDOFF_JOB, type HandoffJob } from './queue.js';

export interface ComplaintDeps {
  mongo: Connection;
  outbox: Outbox;
  queue: Queue<HandoffJob>;
  /** Days the office has to answer (the deadline supervisors watch). */
  deadlineDays: number;
}

export interface Complaint {
  ticketId: string;
  personId: string;
  channel: string;
  language: Lang;
  text: string;
  caseId: string | null;
  status: 'open' | 'resolved';
  createdAt: string;
  dueAt: string;
  resolvedAt: string | null;
  outcome: string | null;
  overdue: boolean;
}

/** Ticket numbers a person can read out on the phone: `TS` + 8 digits, no letters to confuse. */
const ticketNumber = () => `TS${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

/**
 * The ticket number of the message that filed it (its `attempt`-th candidate): the same
 * message run again (a retry after Redis died mid-turn) finds its ticket instead of filing a
 * second one and telling the office twice.
 */
const ticketOf = (source: string, attempt: number) => {
  const n = createHash('sha256').update(`${source}#${attempt}`).digest().readUInt32BE(0);
  return `TS${String(n % 100_000_000).padStart(8, '0')}`;
};

export type ComplaintService = ReturnType<typeof createComplaintService>;

/** Complaints (standard 8.2): a ticket, `complaint.created`, and the outcome sent to the person. */
export function createComplaintService(deps: ComplaintDeps) {
  const { Complaint } = caseModels(deps.mongo);
  const view = (d: ComplaintDoc, now: Date): Complaint => ({
    ticketId: d._id,
    personId: d.personId.toHexString(),
    channel: d.channel,
    language: d.language,
    text: d.text,
    caseId: d.caseId?.toHexString() ?? null,
    status: d.status,
    createdAt: d.createdAt.toISOString(),
    dueAt: d.dueAt.toISOString(),
    resolvedAt: d.resolvedAt?.toISOString() ?? null,
    outcome: d.outcome ?? null,
    overdue: d.status === 'open' && d.dueAt.getTime() < now.getTime(),
  });
  return {
    async create(req: {
      personId: string;
      channel: ChannelId;
      chatId: string;
      lang: Lang;
      text: string;
      caseId: string | null;
      now: Date;
      /** The message that files it (channel, chat and message id): filed once however often run. */
      source?: string;
    }): Promise<string> {
      for (let attempt = 0; ; attempt++) {
        const ticketId = req.source ? ticketOf(req.source, attempt) : ticketNumber();
        try {
          await Complaint.create({
            ...(req.source ? { source: req.source } : {}),
            _id: ticketId,
            personId: new Types.ObjectId(req.personId),
            channel: req.channel,
            chatId: req.chatId,
            language: req.lang,
            text: req.text,
            caseId: req.caseId ? new Types.ObjectId(req.caseId) : null,
            status: 'open',
            createdAt: req.now,
            dueAt: new Date(req.now.getTime() + deps.deadlineDays * 86_400_000),
          });
        } catch (err) {
          if (!onlyDuplicates(err)) throw err;
          // Filed already by this very message: its ticket, and its event (sent once).
          const mine =
            req.source && (await Complaint.findById(ticketId).lean())?.source === req.source;
          if (!mine && attempt < 5) continue;
          if (!mine) throw err;
        }
        await deps.outbox.emit(
          'complaint.created',
          { ticketId, personId: req.personId, language: req.lang, text: req.text },
          req.now,
          { id: eventIdOf(`complaint:${ticketId}`) },
        );
        return ticketId;
      }
    },

    /** The office's outcome: stored, then sent to the person (8.2.2). */
    async resolve(ticketId: string, outcome: string, now: Date): Promise<'ok' | 'unknown'> {
      const doc = await Complaint.findById(ticketId).lean();
      if (!doc) return 'unknown';
      // The same outcome again (an office retrying with a new webhook id) is not sent twice.
      if (doc.status === 'resolved' && doc.outcome === outcome) return 'ok';
      await Complaint.updateOne(
        { _id: ticketId },
        { $set: { status: 'resolved', outcome, resolvedAt: now } },
      );
      // One outcome message per resolution (a second, corrected outcome is sent too).
      await deps.queue.add(
        'outcome',
        { kind: 'outcome', ticketId },
        { ...HANDOFF_JOB, jobId: `outcome-${ticketId}-${now.getTime()}` },
      );
      return 'ok';
    },

    async get(ticketId: string, now: Date): Promise<Complaint | null> {
      const doc = await Complaint.findById(ticketId).lean();
      return doc ? view(doc, now) : null;
    },

    /** Open ones past their deadline first (what supervisors chase), or all, newest first. */
    async list(q: { overdue?: boolean; status?: 'open' | 'resolved'; limit: number }, now: Date) {
      const filter: Record<string, unknown> = q.overdue
        ? { status: 'open', dueAt: { $lt: now } }
        : q.status
          ? { status: q.status }
          : {};
      const docs = await Complaint.find(filter)
        .sort(q.overdue ? { dueAt: 1 } : { createdAt: -1 })
        .limit(q.limit)
        .lean<ComplaintDoc[]>();
      return docs.map((d) => view(d, now));
    },
  };
}
