import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { registerActor, sessionActor } from '../accounts/auth.js';
import { loginRoutes } from '../accounts/login.routes.js';
import { campaignPages } from '../campaigns/campaign.pages.js';
import { consolePages } from '../handoff/console.pages.js';
import { createLedger } from '../journey/ledger.index.js';
import { sharedProfileLines } from '../journey/mydata.js';
import type { AppDeps } from '../deps.js';
import { queueBoardRoutes } from '../campaigns/queue-board.js';
import { loadDocsCss } from '../channels/web/web.assets.js';
import { registerErrorHandler } from './error-handler.js';
import { unavailableWhileDown } from './plugins/outage.js';
import { watchRedis } from '../lib/redis-watchdog.js';
import { pageAuth } from './plugins/admin-auth.js';
import { adminRoutes } from './routes/admin.routes.js';
import { healthRoutes } from './routes/health.routes.js';

/** Builds the web role's Fastify app from deps. Never listens: main.ts (or a test) does. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps FastifyInstance's default logger type.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    // A media link's token (a Telegram file_id, its expiry and signature) is longer than the
    // default 100 characters of a path parameter; routes check their parameters themselves.
    routerOptions: { maxParamLength: 1024 },
    // X-Forwarded-For only from the proxies the operator names (else anyone could pick an address).
    trustProxy: deps.config.TRUST_PROXY ?? false,
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerActor(app);
  // When Redis or the database is away, the routes that need them answer 503 with Retry-After at
  // once (the page keeps the typed text and retries; Telegram retries its update), rather than
  // waiting on a dead connection and failing with a 500.
  // A Redis that hangs (connected, answering nothing) counts as away once a PING has waited 3 s.
  const watchdog = watchRedis(deps.redis);
  app.addHook('onClose', async () => watchdog.stop());
  app.addHook('onRequest', unavailableWhileDown({ ...deps, redisHung: () => watchdog.hung() }));

  // While draining on shutdown, responses close their connection, so a keep-alive client does
  // not hold the server open after its in-flight turn is answered.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
    // No page of ours may be framed by another site (clickjacking of the chat or the docs).
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', "frame-ancestors 'none'");
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  // Before the docs: their hook reads the admin session cookie.
  await app.register(cookie, { secret: deps.sessionSecret });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Lamton API',
        version: '0.1.0',
        description: 'Admin API, webhooks and health of Lamton (ལམ་སྟོན་)',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Tibetan in the docs from the app's own font (served by the web chat under /assets/fonts/).
    theme: { css: [{ filename: 'tibetan.css', content: await loadDocsCss() }] },
    // The route map of the admin API is for administrators and supervisors: a logged-in admin
    // session, or the admin token asked for by the browser (any user name, the token as
    // password); without either the docs are closed.
    uiHooks: {
      // Fastify awaits an async hook (the swagger-ui types only show the callback form).
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      onRequest: pageAuth(deps.config.ADMIN_TOKEN, 'Lamton API docs', async (req) => {
        const actor = await sessionActor(deps, req);
        if (!actor) return false;
        return actor.role === 'admin' || actor.role === 'supervisor' || 'forbidden';
      }),
    },
  });

  await app.register(
    healthRoutes({
      redis: deps.redis,
      prefix: deps.prefix,
      mongo: deps.mongo,
      registry: deps.metrics.registry,
      metricsTokens: [deps.config.METRICS_TOKEN, deps.config.ADMIN_TOKEN],
    }),
  );
  // The ledger (台账) of the people served: its admin API and the monthly report page.
  const ledger = createLedger({ ...deps, sealer: deps.journey.sealer });
  await app.register(
    adminRoutes({
      config: deps.config,
      accounts: deps.accounts,
      adminSessions: deps.adminSessions,
      featureRoutes: [
        deps.campaigns.routes,
        deps.handoff.routes,
        ledger.routes,
        deps.journey.planning.routes,
        deps.jobs.routes,
      ],
      cards: deps.cards,
      redis: deps.redis,
      prefix: deps.prefix,
      flows: deps.flows,
      knowledge: deps.knowledge,
      questions: deps.questions,
      examples: deps.examples,
      audit: deps.audit,
    }),
  );
  await app.register(
    loginRoutes({
      accounts: deps.accounts,
      adminSessions: deps.adminSessions,
      audit: deps.audit,
      redis: deps.redis,
      prefix: deps.prefix,
      strings: (lang) => deps.translator.namespace(lang, 'admin'),
      config: deps.config,
    }),
  );
  // The campaign pages (/admin/campaigns…), behind the admin login; they use the admin API.
  await app.register(
    campaignPages({
      service: deps.campaigns.service,
      accounts: deps.accounts,
      adminSessions: deps.adminSessions,
      strings: (lang) => deps.translator.namespace(lang, 'admin'),
    }),
  );
  // The job postings page (/admin/jobs), behind the admin login; its forms post same-origin.
  await app.register(deps.jobs.pages);
  // The counsellor console (/counsellor…), behind the admin login; it uses the cases API.
  await app.register(
    consolePages({
      service: deps.handoff.service,
      complaints: deps.handoff.complaints,
      profileLines: (profile, lang) =>
        sharedProfileLines(deps.translator, lang, profile, deps.journey.districtsBo),
      accounts: deps.accounts,
      adminSessions: deps.adminSessions,
      strings: (lang) => deps.translator.namespace(lang, 'admin'),
    }),
  );
  await app.register(ledger.pages);
  // The whole text of an announcement that went out (WeChat's template message links here).
  await app.register(deps.campaigns.publicRoutes);
  // The counsellor system's signed calls (Standard Webhooks; the raw body is verified).
  await app.register(deps.handoff.webhookRoutes);
  // Voice notes and photos people sent, behind signed expiring links (for counsellors).
  await app.register(deps.handoff.mediaRoutes);
  // bull-board for administrators (login session).
  await app.register(
    queueBoardRoutes(deps, () => [
      ...deps.campaigns.boardQueues,
      ...deps.handoff.boardQueues,
      deps.journey.planning.queue,
      deps.alerts.queue,
    ]),
  );
  // Every configured channel's routes: the web chat, the Telegram webhook, the WeChat callback.
  for (const channel of deps.channels) if (channel.routes) await app.register(channel.routes);
  return app;
}
