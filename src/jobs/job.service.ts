import type { Logger } from 'pino';
import type { AuditRepo } from '../audit/audit.repo.js';
import { AppError } from '../errors.js';
import type { JobDoc, JobSource, JobText } from './job.model.js';
import type { JobChanges, JobFilter, JobRepo } from './job.repo.js';
import { defaultExpiry, type JobInput, type JobPatch, type JobStatus } from './job.schema.js';

/** What the admin API answers for a posting. */
export interface JobView {
  id: string;
  title: JobText;
  employer: string;
  district: string;
  category: string | null;
  description: JobText;
  contact: string;
  expiresAt: string;
  /** `expired`: still `open` in the database, but past `expiresAt`. */
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  updatedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  reach: { alerted: number; recommended: number };
  source: JobSource;
}

/** A posting that is new, or changed: later work (alerts) matches it against subscriptions. */
export interface JobEvent {
  jobId: string;
  change: 'created' | 'updated' | 'closed';
}
export type JobListener = (event: JobEvent) => Promise<void>;

export interface JobServiceDeps {
  repo: JobRepo;
  audit: AuditRepo;
  log: Pick<Logger, 'warn'>;
  now?: () => Date;
}

/** How a posting reads at `now`: closed, expired (open past its date) or open. */
export function jobStatus(doc: Pick<JobDoc, 'status' | 'expiresAt'>, now: Date): JobStatus {
  if (doc.status === 'closed') return 'closed';
  return doc.expiresAt.getTime() <= now.getTime() ? 'expired' : 'open';
}

export function jobView(doc: JobDoc, now: Date): JobView {
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    id: doc._id.toHexString(),
    title: text(doc.title),
    employer: doc.employer,
    district: doc.district,
    category: doc.category ?? null,
    description: text(doc.description),
    contact: doc.contact,
    expiresAt: doc.expiresAt.toISOString(),
    status: jobStatus(doc, now),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    createdBy: doc.createdBy,
    updatedBy: doc.updatedBy ?? null,
    closedAt: iso(doc.closedAt),
    closedBy: doc.closedBy ?? null,
    reach: { alerted: doc.reach?.alerted ?? 0, recommended: doc.reach?.recommended ?? 0 },
    source: {
      kind: doc.source.kind,
      ...(doc.source.file !== undefined ? { file: doc.source.file } : {}),
      ...(doc.source.line !== undefined ? { line: doc.source.line } : {}),
      ...(doc.source.importId !== undefined ? { importId: doc.source.importId } : {}),
    },
  };
}

const text = (t: JobText): JobText => ({ 'zh-CN': t['zh-CN'], ...(t.bo ? { bo: t.bo } : {}) });

/**
 * Job postings for the admin API and pages: create, list, read, edit, close, each change
 * audited (`job.create`, `job.update`, `job.close`; target `job:<id>`) and told to the
 * listeners (`onPosted`). A listener that fails is logged: the posting stays saved.
 */
export function createJobService(deps: JobServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const listeners: JobListener[] = [];
  const notFound = () => new AppError('not_found', 'no such job posting');

  async function tell(event: JobEvent): Promise<void> {
    for (const listener of listeners) {
      await listener(event).catch((err: unknown) =>
        deps.log.warn(
          { jobId: event.jobId, err: err instanceof Error ? err.message : String(err) },
          'a job posting listener failed',
        ),
      );
    }
  }
  const audit = (actor: string, action: string, id: string, details?: Record<string, unknown>) =>
    deps.audit.record({
      at: now(),
      actor,
      action,
      target: `job:${id}`,
      ...(details ? { details } : {}),
    });

  return {
    /** Registers a listener for new and changed postings (the alerts enqueue matching here). */
    onPosted(listener: JobListener): void {
      listeners.push(listener);
    },
    /** Tells the listeners (the CSV import calls this for its rows once they are visible). */
    tell,

    async create(input: JobInput, actor: string, source: JobSource = { kind: 'api' }) {
      const at = now();
      const doc = await deps.repo.create({
        ...input,
        category: input.category ?? null,
        expiresAt: input.expiresAt ?? defaultExpiry(at),
        createdAt: at,
        createdBy: actor,
        source,
      });
      const view = jobView(doc, at);
      await audit(actor, 'job.create', view.id, {
        title: view.title['zh-CN'],
        source: source.kind,
      });
      await tell({ jobId: view.id, change: 'created' });
      return view;
    },

    async list(filter: JobFilter, limit: number, cursor?: string) {
      const at = now();
      const docs = await deps.repo.list(filter, limit + 1, at, cursor);
      const items = docs.slice(0, limit).map((d) => jobView(d, at));
      return {
        items,
        nextCursor: docs.length > limit ? (items[items.length - 1]?.id ?? null) : null,
      };
    },

    async get(id: string): Promise<JobView> {
      const doc = await deps.repo.get(id);
      if (!doc) throw notFound();
      return jobView(doc, now());
    },

    async update(id: string, patch: JobPatch, actor: string): Promise<JobView> {
      const before = await deps.repo.get(id);
      if (!before) throw notFound();
      const changes: JobChanges = { ...patch };
      const doc = await deps.repo.update(id, changes, actor, now());
      if (!doc) throw new AppError('conflict', 'a closed posting cannot be edited');
      await audit(actor, 'job.update', id, {
        fields: Object.entries(patch)
          .filter(([, v]) => v !== undefined)
          .map(([k]) => k),
      });
      await tell({ jobId: id, change: 'updated' });
      return jobView(doc, now());
    },

    async close(id: string, actor: string): Promise<JobView> {
      const before = await deps.repo.get(id);
      if (!before) throw notFound();
      const doc = await deps.repo.close(id, actor, now());
      if (!doc) throw new AppError('conflict', 'the posting is closed already');
      await audit(actor, 'job.close', id);
      await tell({ jobId: id, change: 'closed' });
      return jobView(doc, now());
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
