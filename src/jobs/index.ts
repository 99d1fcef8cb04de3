import type { FastifyPluginAsync } from 'fastify';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import { createJobRepo, type JobRepo } from './job.repo.js';
import { jobPages } from './job.pages.js';
import { jobRoutes } from './job.routes.js';
import { createJobService, type JobListener, type JobService } from './job.service.js';

/** What job postings need from the web role's deps (`AppDeps` has all of it). */
export interface JobsContext {
  config: Pick<Config, 'PUBLIC_URL'>;
  log: Pick<Logger, 'warn'>;
  mongo: Connection;
  audit: AuditRepo;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  translator: Pick<Translator, 'namespace'>;
  now?: () => Date;
}

export interface Jobs {
  repo: JobRepo;
  service: JobService;
  /** The admin API (`/api/admin/jobs…`): behind the admin plugin's authentication. */
  routes: FastifyPluginAsync;
  /** The page (`/admin/jobs`): gates on the admin session itself. */
  pages: FastifyPluginAsync;
  /**
   * Registers a listener told of every new, edited or closed posting (`{jobId, change}`), after
   * it is saved and audited: the alerts enqueue matching here. A listener that throws is logged;
   * the posting stays saved.
   */
  onPosted(listener: JobListener): void;
}

/** Job postings (standard 7.2(5)): the repository, the admin API and page, and their events. */
export function createJobs(ctx: JobsContext): Jobs {
  const now = ctx.now ?? (() => new Date());
  const repo = createJobRepo(ctx.mongo);
  const service = createJobService({ repo, audit: ctx.audit, log: ctx.log, now });
  return {
    repo,
    service,
    routes: jobRoutes({ service, now }),
    pages: jobPages({
      service,
      accounts: ctx.accounts,
      adminSessions: ctx.adminSessions,
      config: ctx.config,
      strings: (lang) => ctx.translator.namespace(lang, 'jobs'),
      now,
    }),
    onPosted: (listener) => service.onPosted(listener),
  };
}

export type { JobEvent, JobListener, JobView } from './job.service.js';
export { jobStatus } from './job.service.js';
export { statusFilter } from './job.repo.js';
export { createAlerts, type Alerts } from './alerts.js';
export { startAlertWorker } from './alert.worker.js';
