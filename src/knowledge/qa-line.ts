import { z } from 'zod';
import type { Lang } from '../messaging/lang.js';
import type { Decision, KnowledgeIndex } from './index.js';

/** One line of `npm run -s qa` output. */
export interface QaResult {
  id: string | number | null;
  topic: string;
  confidence: number;
  /** the message signals acute distress: the assistant answers with care, 12356 and a counsellor */
  distress: boolean;
}

const inputSchema = z.object({
  id: z.union([z.string(), z.number()]),
  lang: z.enum(['zh-CN', 'bo']),
  text: z.string(),
});

/**
 * One JSON input line `{"id","lang","text"}` → `{"id","topic","confidence","distress"}`, the shared path of
 * `npm run qa` and `npm run eval:qa`. A bad line answers `none` with confidence 0 (and its id
 * when one can be read); `problem` says why, for stderr.
 */
export function answerLine(index: KnowledgeIndex, line: string): QaResult & { problem?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { id: null, topic: 'none', confidence: 0, distress: false, problem: 'not JSON' };
  }
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const id = z.object({ id: z.union([z.string(), z.number()]) }).safeParse(raw);
    const problem = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`)
      .join('; ');
    return {
      id: id.success ? id.data.id : null,
      topic: 'none',
      confidence: 0,
      distress: false,
      problem,
    };
  }
  const { id, lang, text } = parsed.data;
  const decision = index.decide(text, lang);
  return { id, ...topicOf(decision), distress: decision.kind === 'distress' };
}

/**
 * The topic a decision stands for: the answer's, the first option's, none; for distress the topic
 * it also asked about, else psychological support.
 */
export function topicOf(decision: Decision): { topic: string; confidence: number } {
  switch (decision.kind) {
    case 'answer':
      return { topic: decision.card.topic, confidence: decision.confidence };
    case 'clarify':
      return { topic: decision.options[0]?.topic ?? 'none', confidence: decision.confidence };
    case 'distress':
      // The topic the message also asked about, if any; the care comes first either way.
      return decision.answer
        ? { topic: decision.answer.topic, confidence: 1 }
        : { topic: 'psychological-support', confidence: 1 };
    case 'decline':
      return { topic: 'none', confidence: decision.confidence };
  }
}

export type { Lang };
