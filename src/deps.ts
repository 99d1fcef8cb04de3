import { ratingWords, saysOneOf } from './handoff/rating-words.js';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ChannelId, InboundHandler } from './messaging/inbound.js';
import type { Sender } from './messaging/send.js';
import type { Channel } from './channels/channel.js';
import { buildChannels, buildSenders } from './channels/registry.js';
import type { TelegramChannel } from './channels/telegram/telegram.channel.js';
import { REDIS_PREFIX, type Config } from './config.js';
import { loadRubrics } from './coaching/coach.js';
import { createInboundHandler } from './conversations/handle-inbound.js';
import { createIntentMatcher } from './conversations/intents.js';
import { createSessionStore, type SessionStore } from './conversations/session.store.js';
import { loadFlows, type FlowSet } from './engine/flows.js';
import { createTranslator, type Translator } from './i18n.js';
import { readGlossary } from './glossary.js';
import { createMessageRepo, type MessageRepo } from './messages/message.repo.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPersonRepo, type PersonRepo } from './people/person.repo.js';
import { createExampleRepo, type ExampleRepo } from './examples/example.repo.js';
import { distressModelFromDirsAsync } from './knowledge/distress-examples.js';
import { shippedExamples } from './knowledge/examples.js';
import { loadCardsFromDir } from './knowledge/load-cards.js';
import { createCardRepo, type CardRepo } from './policy-cards/card.repo.js';
import { startLiveKnowledge, type LiveKnowledge } from './policy-cards/live-knowledge.js';
import { isStale } from './policy-cards/stale.js';
import { createQuestionRepo, type QuestionRepo } from './questions/question.repo.js';
import { createAuditRepo, type AuditRepo } from './audit/audit.repo.js';
import { createCampaigns, type Campaigns } from './campaigns/index.js';
import { createHandoff, type Handoff } from './handoff/index.js';
import { createJourney, type Journey } from './journey/index.js';
import { createAlerts, createJobs, type Alerts, type Jobs } from './jobs/index.js';
import { inboxKey } from './channels/web/inbox.js';
import { transcriptKey } from './channels/web/transcript.js';
import { createAccountRepo, type AccountRepo } from './accounts/account.repo.js';
import { createAdminSessionStore, type AdminSessionStore } from './accounts/admin-session.store.js';
import { ADMIN_USERNAME } from './accounts/auth.js';
import { throttledWarn } from './lib/log-throttle.js';

/**
 * What every process shares, web or worker: connections, repositories, metrics and the senders
 * of the configured channels (a worker pushes to people through them). Nothing here trains a
 * model, syncs cards or takes messages in.
 */
export interface CoreDeps {
  config: Config;
  log: Logger;
  redis: Redis;
  mongo: Connection;
  flows: FlowSet;
  translator: Translator;
  people: PersonRepo;
  messages: MessageRepo;
  questions: QuestionRepo;
  audit: AuditRepo;
  /** Accounts of the admin side (administrators, supervisors, counsellors) and their tokens. */
  accounts: AccountRepo;
  cards: CardRepo;
  examples: ExampleRepo;
  metrics: Metrics;
  /** The senders of the channels configured here (web chat inbox, Telegram, WeChat), by channel. */
  senders: ReadonlyMap<ChannelId, Sender>;
  /** Redis key prefix of this deployment (tests use one per file). */
  prefix: string;
  /** Lhasa's districts and counties in both languages (the glossary). */
  districts: readonly { zh: string; bo: string }[];
  close(): Promise<void>;
}

/** The web role: the core plus what serves people (knowledge, conversations, channels). */
export interface AppDeps extends CoreDeps {
  sessions: SessionStore;
  knowledge: LiveKnowledge;
  handleInbound: InboundHandler;
  sessionSecret: string;
  /** Logged-in sessions of the admin pages (Redis). */
  adminSessions: AdminSessionStore;
  /** Job postings: the admin API and page, and `onPosted` for the alerts (issue 13). */
  jobs: Jobs;
  /** Job alerts: subscriptions, matching, recommendations, the person's records. */
  alerts: Alerts;
  /** Outreach campaigns: the admin API's service and the campaign queue's producer. */
  campaigns: Campaigns;
  /** Counsellor cases, complaints and the webhooks both ways. */
  handoff: Handoff;
  journey: Journey;
  /** Every configured channel's inbound side (routes, start/stop) and sender. */
  channels: readonly Channel[];
  /** The Telegram channel when configured (tests drive it directly). */
  telegram?: TelegramChannel;
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BuildDepsOptions {
  /** Redis key prefix (tests give each file its own). */
  prefix?: string;
}

/** Connects to Redis and MongoDB and builds what every process shares. */
export async function buildCore(
  config: Config,
  log: Logger,
  opts: BuildDepsOptions = {},
): Promise<CoreDeps> {
  const prefix = opts.prefix ?? REDIS_PREFIX;
  const flows = loadFlows(`${ROOT}flows`);
  const translator = createTranslator(`${ROOT}locales`);
  // Auto-pipelining sends the commands of concurrent turns together (fewer writes and syscalls).
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
  // While Redis is away ioredis reconnects (every 2 s at most) and reports each failure here.
  redis.on('error', throttledWarn(log, 'redis connection error'));
  await redis.connect();
  const mongo = await mongoose
    .createConnection(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 })
    .asPromise();

  const metrics = createMetrics();
  // While the database is away, log lines and questions wait and are retried (bounded).
  const messages = createMessageRepo(mongo, {
    onDropped: (n) => metrics.writesDropped.inc({ what: 'messages' }, n),
  });
  const questions = createQuestionRepo(mongo, {
    onDropped: (n) => metrics.writesDropped.inc({ what: 'questions' }, n),
  });
  const senders = buildSenders({ config, log, redis, prefix, metrics });
  return {
    config,
    log,
    redis,
    mongo,
    flows,
    translator,
    people: createPersonRepo(mongo),
    messages,
    questions,
    audit: createAuditRepo(mongo),
    accounts: createAccountRepo(mongo),
    cards: createCardRepo(mongo),
    examples: createExampleRepo(mongo),
    metrics,
    senders,
    prefix,
    districts: readGlossary(`${ROOT}locales/glossary.json`).districts,
    async close() {
      // Log entries and questions still on their way to the database go first.
      await Promise.allSettled([messages.flush(), questions.flush()]);
      for (const sender of senders.values()) sender.close?.();
      await redis.quit().catch(() => redis.disconnect());
      await mongo.close();
    },
  };
}

/**
 * The web role on top of the core: syncs the shipped cards, trains the classifier and the
 * distress model, builds the conversation layer and every configured channel's inbound side.
 */
export async function buildWebDeps(core: CoreDeps): Promise<AppDeps> {
  const { config, log, redis, prefix, metrics, cards, translator, flows } = core;
  const glossary = readGlossary(`${ROOT}locales/glossary.json`);
  const sessions = createSessionStore(redis, prefix);
  const synced = await cards.syncFromFiles(loadCardsFromDir(`${ROOT}knowledge/cards`), new Date());
  if (synced.added + synced.updated + synced.retired > 0)
    log.info(synced, 'policy cards loaded from knowledge/cards');
  const knowledge = await startLiveKnowledge({
    cards,
    redis,
    channel: `${prefix}kb:changed`,
    log,
    shippedExamples: shippedExamples(`${ROOT}knowledge/examples`),
    distress: await distressModelFromDirsAsync(
      `${ROOT}knowledge/distress`,
      `${ROOT}knowledge/examples`,
    ),
    examples: core.examples,
    onInvalidCards: (count) => metrics.cardsInvalid.set(count),
    onLoad: (index) =>
      metrics.cardsStale.set(index.cards.filter((c) => isStale(c.reviewedAt, new Date())).length),
  });
  const sessionSecret =
    config.SESSION_SECRET ?? (await sharedSecret(redis, `${prefix}session-secret`));
  // (The journey is built after the handoff, whose outbox it uses: its profiles come in lazily.)
  const later: { profiles?: Journey['profiles'] } = {};
  const handoff = createHandoff({
    ...core,
    root: ROOT,
    sessionSecret,
    profileOf: async (personId) => (later.profiles ? later.profiles.shared(personId) : {}),
  });
  const campaigns = createCampaigns({
    config,
    log,
    mongo: core.mongo,
    redis,
    prefix,
    senders: core.senders,
    audit: core.audit,
    translator,
  });
  const adminSessions = createAdminSessionStore(redis, prefix);
  const jobs = createJobs({
    config,
    log,
    mongo: core.mongo,
    audit: core.audit,
    accounts: core.accounts,
    adminSessions,
    translator,
  });
  // Job alerts: subscriptions, the match queue, recommendations (the journey's profiles lazily).
  const alerts = createAlerts({
    config,
    log,
    mongo: core.mongo,
    redis,
    prefix,
    translator,
    districts: glossary.districts,
    jobs: jobs.repo,
    profiles: () => later.profiles!,
  });
  jobs.onPosted((event) => alerts.posted(event));
  const journey = createJourney({
    config,
    log,
    audit: core.audit,
    mongo: core.mongo,
    redis,
    prefix,
    translator,
    districts: glossary.districts,
    outbox: handoff.outbox,
    flush: async () => {
      await Promise.all([core.messages.flush(), core.questions.flush()]);
    },
    queues: () => [...handoff.boardQueues, ...campaigns.boardQueues, alerts.queue],
    personData: [alerts.personData],
    kbChannel: `${prefix}kb:changed`,
    chatKeys: (channel, chatId) =>
      channel === 'web' ? [inboxKey(prefix, chatId), transcriptKey(prefix, chatId)] : [],
  });
  later.profiles = journey.profiles;
  const handleInbound = createInboundHandler({
    cases: {
      // Only for media a channel can fetch again (Telegram, WeChat): a link that works.
      mediaLink: (ref) =>
        core.senders.get(ref.channel)?.fetchMedia ? handoff.mediaLinks.link(ref) : undefined,
      handoff: handoff.service,
      state: handoff.state,
      complaints: handoff.complaints,
      translator,
      complaintDays: config.COMPLAINT_DEADLINE_DAYS,
      ratingOf: ratingWords(glossary.answers.rating),
      saysFine: saysOneOf(glossary.answers.fine),
    },
    journeyTurn: journey.turn,
    jobsTurn: alerts.turn,
    alertWish: alerts.wish,
    coaching: loadRubrics(`${ROOT}knowledge/coaching`),
    questions: core.questions,
    knowledge: () => knowledge.current(),
    flows,
    translator,
    intents: createIntentMatcher(glossary.keywords, glossary.languageNames, glossary.answers),
    sessions,
    people: core.people,
    messages: core.messages,
    log,
    metrics,
  });
  const channels = buildChannels(
    { config, log, redis, prefix, metrics, handleInbound, translator, flows, people: core.people },
    core.senders,
  );
  const telegram = channels.find((c): c is TelegramChannel => c.id === 'telegram');
  // ADMIN_TOKEN is the first administrator's token: its account exists from the first start.
  if (config.ADMIN_TOKEN) await core.accounts.ensure(ADMIN_USERNAME, 'admin', new Date());
  return {
    ...core,
    sessions,
    knowledge,
    handleInbound,
    sessionSecret,
    adminSessions,
    jobs,
    alerts,
    campaigns,
    handoff,
    journey,
    channels,
    ...(telegram ? { telegram } : {}),
    async close() {
      await knowledge.stop();
      await campaigns.close();
      await handoff.close();
      await journey.planning.close();
      await alerts.close();
      await core.close();
    },
  };
}

/** The web role's dependencies from config (the core and the web parts). */
export async function buildDeps(
  config: Config,
  log: Logger,
  opts: BuildDepsOptions = {},
): Promise<AppDeps> {
  return buildWebDeps(await buildCore(config, log, opts));
}

/**
 * Without SESSION_SECRET, processes sharing one Redis agree on a random secret kept there, so
 * cookies stay valid across processes and restarts (set SESSION_SECRET in production).
 */
async function sharedSecret(redis: Redis, key: string): Promise<string> {
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  return (await redis.get(key)) ?? randomBytes(32).toString('base64url');
}
