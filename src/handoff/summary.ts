import { splitText } from '../lib/split-text.js';
import type { Lang } from '../messaging/lang.js';
import type { CaseSummary } from './case.model.js';

export interface AskedQuestion {
  text: string;
  outcome: 'answered' | 'clarify' | 'declined' | 'distress';
  topic: string | null;
}

/**
 * The short structured summary a counsellor reads before the transcript: which topics the person
 * asked about, how many the assistant answered or could not (and those questions), whether
 * distress showed, the language and channel.
 */
export function summarize(input: {
  questions: AskedQuestion[];
  transcriptLines: number;
  language: Lang;
  channel: string;
  distress: boolean;
}): CaseSummary {
  const topics = [
    ...new Set(input.questions.map((q) => q.topic).filter((t): t is string => t !== null)),
  ];
  const unanswered = input.questions.filter((q) => q.outcome === 'declined');
  return {
    topics,
    answered: input.questions.filter((q) => q.outcome === 'answered').length,
    unanswered: unanswered.length,
    unansweredQuestions: unanswered.slice(-5).map((q) => cut(q.text, 200)),
    distress: input.distress || input.questions.some((q) => q.outcome === 'distress'),
    language: input.language,
    channel: input.channel,
    messages: input.transcriptLines,
  };
}

/** At most about `max` characters, never cut inside a Tibetan stack. */
function cut(text: string, max: number): string {
  const [head = ''] = splitText(text, max);
  return head.length < text.length ? `${head}…` : text;
}
