import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { InboundHandler } from './messaging/inbound.js';
import {
  createTelegramChannel,
  type TelegramChannel,
} from './channels/telegram/telegram.channel.js';
import type { Config } from './config.js';
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

/** Everything the processes share, built once by the composition root (or a test). */
export interface AppDeps {
  config: Config;
  log: Logger;
  redis: Redis;
  mongo: Connection;
  flows: FlowSet;
  translator: Translator;
  sessions: SessionStore;
  people: PersonRepo;
  messages: MessageRepo;
  questions: QuestionRepo;
  audit: AuditRepo;
  cards: CardRepo;
  examples: ExampleRepo;
  knowledge: LiveKnowledge;
  metrics: Metrics;
  handleInbound: InboundHandler;
  sessionSecret: string;
  /** Redis key prefix of this deployment (tests use one per file). */
  prefix: string;
  telegram?: TelegramChannel;
  close(): Promise<void>;
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BuildDepsOptions {
  /** Redis key prefix (tests give each file its own). */
  prefix?: string;
}

/** Connects to Redis and MongoDB and builds the shared dependencies. */
export async function buildDeps(
  config: Config,
  log: Logger,
  opts: BuildDepsOptions = {},
): Promise<AppDeps> {
  const prefix = opts.prefix ?? 'lamton:';
  const flows = loadFlows(`${ROOT}flows`);
  const translator = createTranslator(`${ROOT}locales`);
  const glossary = readGlossary(`${ROOT}locales/glossary.json`);
  // Auto-pipelining sends the commands of concurrent turns together (fewer writes and syscalls).
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
  // While Redis is away ioredis reconnects (every 2 s at most) and reports each failure here.
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  await redis.connect();
  const mongo = await mongoose
    .createConnection(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 })
    .asPromise();

  const sessions = createSessionStore(redis, prefix);
  const people = createPersonRepo(mongo);
  const metrics = createMetrics();
  // While the database is away, log lines and questions wait and are retried (bounded).
  const messages = createMessageRepo(mongo, {
    onDropped: (n) => metrics.writesDropped.inc({ what: 'messages' }, n),
  });
  const questions = createQuestionRepo(mongo, {
    onDropped: (n) => metrics.writesDropped.inc({ what: 'questions' }, n),
  });
  const audit = createAuditRepo(mongo);
  const cards = createCardRepo(mongo);
  const examples = createExampleRepo(mongo);
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
    examples,
    onInvalidCards: (count) => metrics.cardsInvalid.set(count),
    onLoad: (index) =>
      metrics.cardsStale.set(index.cards.filter((c) => isStale(c.reviewedAt, new Date())).length),
  });
  const handleInbound = createInboundHandler({
    coaching: loadRubrics(`${ROOT}knowledge/coaching`),
    questions,
    knowledge: () => knowledge.current(),
    flows,
    translator,
    intents: createIntentMatcher(glossary.keywords, glossary.languageNames),
    sessions,
    people,
    messages,
    log,
    metrics,
  });
  const sessionSecret =
    config.SESSION_SECRET ?? (await sharedSecret(redis, `${prefix}session-secret`));
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? createTelegramChannel({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        mode: config.TELEGRAM_MODE,
        ...(config.PUBLIC_URL
          ? { webhookUrl: new URL('/webhooks/telegram', config.PUBLIC_URL).toString() }
          : {}),
        ...(config.TELEGRAM_WEBHOOK_SECRET
          ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET }
          : {}),
        handleInbound,
        onMalformed: () => metrics.telegramMalformed.inc(),
        onDropped: () => metrics.telegramDropped.inc(),
        redis,
        translator,
        log,
        prefix,
      })
    : undefined;

  return {
    config,
    log,
    redis,
    mongo,
    flows,
    translator,
    sessions,
    people,
    messages,
    questions,
    audit,
    cards,
    examples,
    knowledge,
    metrics,
    handleInbound,
    sessionSecret,
    prefix,
    ...(telegram ? { telegram } : {}),
    async close() {
      await knowledge.stop();
      // Log entries and questions still on their way to the database go first.
      await Promise.allSettled([messages.flush(), questions.flush()]);
      await redis.quit().catch(() => redis.disconnect());
      await mongo.close();
    },
  };
}

/**
 * Without SESSION_SECRET, processes sharing one Redis agree on a random secret kept there, so
 * cookies stay valid across processes and restarts (set SESSION_SECRET in production).
 */
async function sharedSecret(redis: Redis, key: string): Promise<string> {
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  return (await redis.get(key)) ?? randomBytes(32).toString('base64url');
}
