import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TopicClassifier } from '../knowledge/classifier.js';
import { createKnowledgeIndex, type KnowledgeIndex } from '../knowledge/index.js';
import type { CardRepo } from './card.repo.js';

export interface LiveKnowledge {
  /** The index in use now (swapped atomically on reload). */
  current(): KnowledgeIndex;
  reload(): Promise<void>;
  /** Tells every process (this one included) to reload. */
  publishChange(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The retrieval index of this process, rebuilt from MongoDB whenever any process publishes a
 * change on Redis (an admin edit), so no web process needs a restart.
 */
export async function startLiveKnowledge(deps: {
  cards: CardRepo;
  redis: Redis;
  channel: string;
  log: Logger;
  /** Learnt from knowledge/examples (shipped files: it does not change with card edits). */
  classifier?: TopicClassifier;
  /** Called with each new index (metrics: stale cards). */
  onLoad?: (index: KnowledgeIndex) => void;
}): Promise<LiveKnowledge> {
  const build = async (): Promise<KnowledgeIndex> =>
    createKnowledgeIndex(await deps.cards.activeCards(), { classifier: deps.classifier });
  let index = await build();
  deps.onLoad?.(index);
  const sub = deps.redis.duplicate({ enableAutoPipelining: false });
  const reload = async () => {
    index = await build();
    deps.onLoad?.(index);
    deps.log.info({ cards: index.cards.length }, 'policy cards reloaded');
  };
  sub.on('message', (channel: string) => {
    if (channel === deps.channel)
      reload().catch((err: unknown) => deps.log.error({ err }, 'policy card reload failed'));
  });
  await sub.subscribe(deps.channel);
  return {
    current: () => index,
    reload,
    publishChange: async () => {
      await deps.redis.publish(deps.channel, String(Date.now()));
    },
    stop: async () => {
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}
