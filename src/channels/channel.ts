import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { FlowSet } from '../engine/flows.js';
import type { Translator } from '../i18n.js';
import type { ChannelId, InboundHandler } from '../messaging/inbound.js';
import type { Sender } from '../messaging/send.js';
import type { Metrics } from '../metrics.js';
import type { PersonRepo } from '../people/person.repo.js';

/**
 * A running channel, as the composition root sees it: a small record. `app.ts` mounts its
 * `routes`; `main.ts` starts and stops it; its `sender` pushes outside a request.
 */
export interface Channel {
  readonly id: ChannelId;
  /** Pushes to a person outside a request; absent for a channel that cannot push. */
  readonly sender?: Sender | undefined;
  /** HTTP routes (webhooks, the page) mounted on the web role's server. */
  readonly routes?: FastifyPluginAsync | undefined;
  /** Starts taking messages in (register a webhook, poll, log in). */
  start?(): Promise<void>;
  /** Stops taking messages in and drains what is in flight. */
  stop?(): Promise<void>;
}

/** What a sender needs: enough for a worker process, which has no conversation layer. */
export interface SenderContext {
  config: Config;
  log: Logger;
  redis: Redis;
  /** Redis key prefix of this deployment. */
  prefix: string;
  metrics: Metrics;
}

/** What a channel's inbound side needs (the web role). */
export interface InboundContext extends SenderContext {
  handleInbound: InboundHandler;
  /** Reachability per channel identity (a WeChat unfollow). */
  people: Pick<PersonRepo, 'setReachable'>;
  translator: Translator;
  flows: FlowSet;
}

/** One channel's entry in the registry (`registry.ts`): its own folder builds the rest. */
export interface ChannelModule {
  readonly id: ChannelId;
  /** Configured on this deployment (its tokens are set)? */
  enabled(config: Config): boolean;
  /** The sender alone, for any process (a worker builds only this); undefined: cannot push. */
  sender?(ctx: SenderContext): Sender | undefined;
  /** The inbound side, given the sender built for this process. */
  inbound(ctx: InboundContext, sender: Sender | undefined): Channel;
}
