import { aspectsOf, cardForAspects } from './aspects.js';
import { isShort, pickList, SHORT_SURE } from './pick-list.js';
import { relatedCardIds } from './related.js';
import type { Aspect, PolicyCard } from './card.schema.js';
import { byTopic, calibrate, type Scored } from './calibrate.js';
import type { Prediction, TopicClassifier } from './classifier.js';
import { detectDistress, isCalmReply } from './distress.js';
import { asksSomething, clauses } from './focus.js';
import type { DistressModel } from './distress-model.js';
import { buildLang, type LangIndex } from './lang-index.js';
import { cueCardsOf } from './offtopic.js';
import { analyzeQuery, type QuerySentence } from './query.js';
import { rank, type RankIndex } from './rank.js';

export type { Lang } from '../messaging/lang.js';
import type { Lang } from '../messaging/lang.js';

export type { Decision, Explanation, SearchHit } from './decision.js';
import type { Decision, Explanation, SearchHit } from './decision.js';

export interface KnowledgeIndex {
  readonly cards: readonly PolicyCard[];
  /** Cards ranked for `text`, best first (only cards with some evidence). */
  search(text: string, lang?: Lang): SearchHit[];
  /** Answer, ask which of a few cards is meant, decline, or hand over to distress support. */
  /** `known.distress`: already decided for this text (the turn reads it once). */
  decide(text: string, lang: Lang, known?: { distress?: boolean }): Decision;
  /** Whether a message signals acute distress (the lexicon, or the learnt model: DISTRESS). */
  isDistress(text: string): boolean;
  /** The evidence behind the ranking (for tuning and kb:check), best first. */
  explain(text: string, lang?: Lang): Explanation[];
}

/** Decision thresholds (calibrated on the dev set, knowledge/eval/tuning.jsonl and hand-made paraphrases). */
export const THRESHOLDS = { answer: 0.5, decline: 0.45, close: 0.82, option: 0.6 } as const;

export interface IndexOptions {
  /** Learnt from labelled example questions (knowledge/examples): decides when it is sure. */
  classifier?: TopicClassifier;
  settings?: ClassifierSettings;
  /** Learnt from labelled messages (knowledge/distress): distress in words the lexicon lacks. */
  distress?: DistressModel;
}

/**
 * When the classifier decides: its top topic has probability `sure` or more, and at least `known`
 * of the text (feature norm, 0–1) is made of words it has seen (on unseen words its answer would
 * only be its bias). Chosen by cross-validation on knowledge/examples before any unseen set was
 * run; `npm run eval:qa` prints the cross-validation.
 */
export interface ClassifierSettings {
  sure: number;
  known: number;
}
export const CLASSIFIER: ClassifierSettings = { sure: 0.6, known: 0.5 };

/** A message of more clauses than this tells a story; its other questions are not looked for. */
const MAX_QUESTIONS = 6;
/** How sure a second question's own answer must be to be offered beside the first. */
const SECOND_QUESTION_SURE = 0.9;

export function createKnowledgeIndex(
  cards: PolicyCard[],
  options: IndexOptions = {},
): KnowledgeIndex {
  const { classifier, settings = CLASSIFIER, distress } = options;
  // One turn asks about the same text more than once (is it distress? then decide): remember a
  // few answers rather than run the lexicon and the model again.
  const recent = new Map<string, boolean>();
  const isDistress = (text: string): boolean => {
    const known = recent.get(text);
    if (known !== undefined) return known;
    const found =
      detectDistress(text) ||
      (distress !== undefined && !isCalmReply(text) && distress.flags(text));
    if (recent.size >= 256) recent.clear();
    recent.set(text, found);
    return found;
  };
  const topicCards = cardsByTopic(cards, classifier);
  const byId = new Map(cards.map((c) => [c.id, c]));
  const langs: Record<Lang, LangIndex> = {
    'zh-CN': buildLang(cards, 'zh-CN'),
    bo: buildLang(cards, 'bo'),
  };
  const ranking: RankIndex = { cards, langs, cueCards: cueCardsOf(cards) };
  const score = (sentences: QuerySentence[], lang: Lang | undefined): Scored[] =>
    rank(ranking, sentences, lang);

  return {
    cards,
    search: (text, lang) =>
      score(analyzeQuery(text), lang).map(({ card, score: s }) => ({ card, score: s })),
    explain: (text, lang) =>
      score(analyzeQuery(text), lang).map(
        ({ card, score: s, coverage, words, specific, topical, phrase, tibetan, offtopic }) => {
          const scored = {
            card,
            score: s,
            coverage,
            words,
            specific,
            topical,
            phrase,
            tibetan,
            offtopic,
          };
          return { ...scored, confidence: round(calibrate(scored)) };
        },
      ),
    isDistress,
    decide(text, lang, known) {
      const query = analyzeQuery(text);
      const topical = withRelated(decideTopic(query, lang, aspectsOf(text)), text, lang);
      if (!(known?.distress ?? isDistress(text))) return topical;
      // The card of what is said beside the distress, after the care — only when the clauses
      // without a risk phrase ask for the same card on their own ("我不想活了" got the card for
      // registering a new job, on 活, though nothing else was said). When no clause has a risk
      // phrase (the model heard it in the whole), the rest must also ask something:
      // "要是我不在了他们会轻松点" got the card about scams, on 轻松.
      if (topical.kind !== 'answer' || topical.card.topic === 'psychological-support')
        return { kind: 'distress' };
      const all = clauses(text);
      const calm = all.filter((c) => !detectDistress(c));
      const rest = calm.join('，');
      const beside =
        rest &&
        (calm.length < all.length || asksSomething(rest)) &&
        decideTopic(analyzeQuery(rest), lang, aspectsOf(rest));
      return beside && beside.kind === 'answer' && beside.card.id === topical.card.id
        ? { kind: 'distress', answer: topical.card }
        : { kind: 'distress' };
    },
  };

  /** An answer with the card its situation also calls for, when that is another topic's. */
  /**
   * An answer with the card its situation also calls for, when that is another topic's — or
   * the card of a second question asked in the same message, about another topic
   * ("失业金怎么领 还有培训有没有补贴": the second was silently dropped).
   */
  function withRelated(d: Decision, text: string, lang: Lang): Decision {
    if (d.kind !== 'answer') return d;
    const related =
      relatedCardIds(text)
        .map((id) => byId.get(id))
        .find((c) => c !== undefined && c.topic !== d.card.topic) ?? secondQuestion(d, text, lang);
    return related ? { ...d, related } : d;
  }

  function secondQuestion(
    d: Extract<Decision, { kind: 'answer' }>,
    text: string,
    lang: Lang,
  ): PolicyCard | undefined {
    const parts = clauses(text);
    if (parts.length < 2 || parts.length > MAX_QUESTIONS) return undefined;
    for (const part of parts) {
      const asked = aspectsOf(part);
      if (!asksSomething(part) && asked.size === 0) continue;
      const other = decideTopic(analyzeQuery(part), lang, asked);
      // Only a question that stands on its own ("有什么政策？" alone picked a graduates' card).
      if (
        other.kind === 'answer' &&
        other.confidence >= SECOND_QUESTION_SURE &&
        other.card.topic !== d.card.topic
      )
        return other.card;
    }
    return undefined;
  }

  /** The decision from the cards alone (distress aside). */
  function decideTopic(query: QuerySentence[], lang: Lang, asked: ReadonlySet<Aspect>): Decision {
    const prediction = classifier?.predict(query);
    const learnt = prediction && sureTopic(prediction, settings);
    // Sure it is off-topic: no ranking needed.
    if (learnt?.topic === 'none')
      return { kind: 'decline', confidence: round(learnt.p), reason: 'offtopic' };
    const scored = score(query, lang);
    const short = isShort(query);
    // One or two words the classifier is only fairly sure of (补贴: which subsidy?): ask.
    if (learnt && short && learnt.p < SHORT_SURE) {
      const options = pickList(byTopic(scored), prediction, topicCards, settings.known);
      if (options.length >= 2) return { kind: 'clarify', options, confidence: round(learnt.p) };
    }
    if (learnt && topicCards.has(learnt.topic)) {
      const confidence = round(learnt.p);
      // The best-ranked card of that topic; with no words in common, the person picks one.
      // The topic's card that answers what was asked (怎么领 → how to claim), else its best-ranked
      // card; with no words in common and no aspect to go by, the person picks one.
      const own = topicCards.get(learnt.topic)!;
      const mine = scored.filter((s) => s.card.topic === learnt.topic).map((s) => s.card);
      const pick = cardForAspects([...mine, ...own.filter((c) => !mine.includes(c))], asked);
      if (pick && (mine.length > 0 || pick.hits > 0 || own.length === 1))
        return { kind: 'answer', card: pick.card, confidence };
      return { kind: 'clarify', options: own.slice(0, 3), confidence };
    }
    const ranked = byTopic(scored);
    const decline = (confidence: number, top?: Scored): Decision => {
      // One or two words (补贴, 登记, ཧྲི་ཡེ་ཅིན) name a subject, not a question: offer the likely
      // topics to pick from rather than an apology.
      const options = short ? pickList(ranked, prediction, topicCards, settings.known) : [];
      if (options.length >= 2) return { kind: 'clarify', options, confidence: round(confidence) };
      const offtopic = !top || top.offtopic > 0;
      return {
        kind: 'decline',
        confidence: round(1 - confidence),
        reason: offtopic ? 'offtopic' : 'unsure',
      };
    };
    const top = ranked[0];
    if (!top) return decline(0);
    const confidence = calibrate(top);
    if (confidence < THRESHOLDS.decline) return decline(confidence, top);
    // Only another topic is a reason to ask: two cards of one topic agreeing is evidence.
    const close = ranked.filter((r) => r !== top && r.score >= THRESHOLDS.close * top.score);
    if (close.length > 0 || confidence < THRESHOLDS.answer) {
      const options = ranked.filter((r) => r.score >= THRESHOLDS.option * top.score).slice(0, 3);
      if (options.length >= 2)
        return {
          kind: 'clarify',
          options: options.map((o) => o.card),
          confidence: round(confidence),
        };
      if (confidence < THRESHOLDS.answer) return decline(confidence, top);
    }
    const mine = scored.filter((s) => s.card.topic === top.card.topic).map((s) => s.card);
    const card = cardForAspects(mine, asked)?.card ?? top.card;
    return { kind: 'answer', card, confidence: round(confidence) };
  }
}

/**
 * Each topic's cards, the ones most like what people ask about the topic first (by the
 * classifier's probability of the topic for the card's title and summary): when a question names
 * none of a topic's cards, these are the ones offered.
 */
function cardsByTopic(
  cards: readonly PolicyCard[],
  classifier: TopicClassifier | undefined,
): Map<string, PolicyCard[]> {
  const typical = new Map<PolicyCard, number>(
    cards.map((c) => [
      c,
      classifier
        ?.predict([c.title['zh-CN'], c.short['zh-CN'], c.title.bo, c.short.bo].join('\n'))
        .posterior.get(c.topic) ?? 0,
    ]),
  );
  const out = new Map<string, PolicyCard[]>();
  for (const card of cards) out.set(card.topic, [...(out.get(card.topic) ?? []), card]);
  for (const list of out.values()) list.sort((a, b) => typical.get(b)! - typical.get(a)!);
  return out;
}

/**
 * The classifier's top topic when it is sure of it (`none` included) and knows enough of the
 * text's words: on words it never saw, its answer would only be its bias.
 */
function sureTopic(
  prediction: Prediction,
  settings: ClassifierSettings,
): { topic: string; p: number } | null {
  const { posterior, known } = prediction;
  if (known < settings.known) return null;
  let top: { topic: string; p: number } | null = null;
  for (const [topic, p] of posterior) if (!top || p > top.p) top = { topic, p };
  return top && top.p >= settings.sure ? top : null;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
