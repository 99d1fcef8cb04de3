import type { FastifyPluginAsync } from 'fastify';
import type { Connection } from 'mongoose';
import type { AccountRepo } from '../accounts/account.repo.js';
import type { AdminSessionStore } from '../accounts/admin-session.store.js';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { Config } from '../config.js';
import type { Translator } from '../i18n.js';
import { createSealer, type Sealer } from '../lib/sealed.js';
import { ledgerPages } from './ledger.page.js';
import { handoffMonthly } from './ledger.report.js';
import { ledgerRoutes } from './ledger.routes.js';

/** What the ledger needs from the web role's deps (`AppDeps` has all of it). */
export interface LedgerContext {
  config: Pick<Config, 'DATA_KEY'>;
  mongo: Connection;
  audit: AuditRepo;
  accounts: Pick<AccountRepo, 'byId'>;
  adminSessions: Pick<AdminSessionStore, 'get'>;
  translator: Pick<Translator, 'namespace'>;
  /** The sealer of sensitive fields; by default built from DATA_KEY (none without it). */
  sealer?: Sealer | null;
  now?: () => Date;
}

export interface Ledger {
  /** The admin API (`/api/admin/people…`, `/api/admin/reports/monthly`): behind authentication. */
  routes: FastifyPluginAsync;
  /** The monthly report page (`/admin/reports/monthly`): gates on the admin session itself. */
  pages: FastifyPluginAsync;
}

/** The ledger (台账) of the people the service helps: its admin API and its report page. */
export function createLedger(ctx: LedgerContext): Ledger {
  const sealer =
    ctx.sealer !== undefined
      ? ctx.sealer
      : ctx.config.DATA_KEY
        ? createSealer(ctx.config.DATA_KEY)
        : null;
  const cases = handoffMonthly(ctx.mongo);
  const now = ctx.now ?? (() => new Date());
  return {
    routes: ledgerRoutes({ mongo: ctx.mongo, audit: ctx.audit, sealer, cases, now }),
    pages: ledgerPages({
      mongo: ctx.mongo,
      cases,
      accounts: ctx.accounts,
      adminSessions: ctx.adminSessions,
      strings: (lang) => ctx.translator.namespace(lang, 'ledger'),
      now,
    }),
  };
}
