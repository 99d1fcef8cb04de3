import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Example } from '../knowledge/classifier.js';
import type { DistressModel } from '../knowledge/distress-model.js';
import { trainedClassifier } from '../knowledge/examples.js';
import { createKnowledgeIndex, type KnowledgeIndex } from '../knowledge/index.js';
import type { ExampleRepo } from '../examples/example.repo.js';
import type { CardRepo } from './card.repo.js';
import { throttledWarn } from '../lib/log-throttle.js';

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
 * change on Redis (an admin edit), so no web process needs a restart. The classifier learns from
 * the shipped examples plus those administrators taught; it is retrained only when the taught
 * set changed (a few hundred milliseconds of CPU, in slices, so requests keep being answered).
 */
export async function startLiveKnowledge(deps: {
  cards: CardRepo;
  redis: Redis;
  channel: string;
  log: Logger;
  /** knowledge/examples, read once at start */
  shippedExamples: readonly Example[];
  /** learnt from knowledge/distress, once at start */
  distress?: DistressModel;
  examples: Pick<ExampleRepo, 'all'>;
  /** Called at each load with the number of stored cards skipped as invalid (a metric). */
  onInvalidCards?: (count: number) => void;
  /** Called with each new index (metrics: stale cards). */
  onLoad?: (index: KnowledgeIndex) => void;
}): Promise<LiveKnowledge> {
  const build = async (): Promise<KnowledgeIndex> => {
    let invalid = 0;
    const [cards, taught] = await Promise.all([
      // A card that cannot be used never stops a start or a reload: it is skipped and reported.
      deps.cards.activeCards((id, problem) => {
        invalid++;
        deps.log.warn({ cardId: id, problem }, 'stored policy card skipped: invalid');
      }),
      deps.examples.all(),
    ]);
    deps.onInvalidCards?.(invalid);
    const classifier = await trainedClassifier(deps.shippedExamples, taught.examples, taught.key);
    return createKnowledgeIndex(cards, {
      classifier,
      ...(deps.distress ? { distress: deps.distress } : {}),
    });
  };
  let index = await build();
  deps.onLoad?.(index);
  const sub = deps.redis.duplicate({ enableAutoPipelining: false });
  sub.on('error', throttledWarn(deps.log, 'redis subscriber error'));
  // One reload at a time, in order: a slow build (retraining) never overwrites a newer one.
  let queue: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    const next = queue.then(async () => {
      index = await build();
      deps.onLoad?.(index);
      deps.log.info({ cards: index.cards.length }, 'policy cards and examples reloaded');
    });
    queue = next.catch(() => undefined);
    return next;
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
