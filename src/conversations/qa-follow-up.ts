import type { OutgoingMessage } from '../messaging/content.js';
import type { Lang } from '../messaging/lang.js';
import type { Translator } from '../i18n.js';
import { aspectsOf, cardForAspects } from '../knowledge/aspects.js';
import type { PolicyCard } from '../knowledge/card.schema.js';
import { readingUnits } from '../knowledge/focus.js';
import { cuesAsked } from '../knowledge/offtopic.js';
import { analyzeQuery } from '../knowledge/query.js';
import { KB_CHOICE, renderAnswer, renderWhere } from './qa-render.js';

/** A wish (想, 要, 能不能…, འདོད, རོགས) rather than a question of how or where (怎么, 电话, ག་འདྲ). */
const WISH = /想|要|希望|麻烦|请|能不能|可不可以|可以|有没有|帮我|给我|འདོད|རོགས|དགོས|ཆོག་གམ|ཆོག་པ/u;
const HOW = /怎么|怎样|如何|哪里|哪儿|电话|号码|几点|什么时候|ག་འདྲ|ཇི་ལྟར|ག་པར|ཁ་པར|ག་དུས/u;

/** "我想跟真人说话" asks for a person; "怎么联系指导员" asks how to reach one. */
export function asksForAPerson(text: string): boolean {
  return WISH.test(text) && !HOW.test(text);
}

/** Identity documents (an off-topic word alone: replacing one is another office's business). */
const DOCUMENT = /身份证|户口|ངོ་སྤྲོད་ལག་ཁྱེར|ཐེམ་ཐོ/u;

/** Short enough to lean on the card before it (Chinese characters + Tibetan syllables). */
const FOLLOW_UP_UNITS = 16;

/**
 * A short question asking only an aspect (where, what to bring, how long, how) about the card
 * answered last: where and what to bring from that card, the rest from its topic's card that
 * covers the aspect. None when the question asks no aspect or says more than a follow-up does.
 */
export function followUpReply(
  cards: readonly PolicyCard[],
  tr: Translator,
  lang: Lang,
  text: string,
  lastCard: string,
): OutgoingMessage | undefined {
  const asked = aspectsOf(text);
  if (asked.size === 0 || readingUnits(text) > FOLLOW_UP_UNITS) return undefined;
  const card = cards.find((c) => c.id === lastCard);
  if (!card) return undefined;
  // "退休金一个月能拿多少" names another service (a pension): not about the card before it, whose
  // figures (a graduate's subsidy) it got. A word the card itself names (ངོ་སྤྲོད་ལག་ཁྱེར, the ID
  // card among what to bring) is still about it.
  const said = JSON.stringify(card);
  const foreign = cuesAsked(analyzeQuery(text)).filter(
    (cue) =>
      !cue.split('+').every((part) => said.includes(part.trim())) &&
      // "要带身份证吗", "ངོ་སྤྲོད་ལག་ཁྱེར་ཁྱེར་དགོས་སམ": a document to bring is the card's business.
      !(asked.has('bring') && DOCUMENT.test(cue)),
  );
  if (foreign.length > 0) return undefined;
  if (asked.has('where') || asked.has('bring')) return renderWhere(tr, card, lang);
  const sameTopic = [card, ...cards.filter((c) => c.topic === card.topic && c.id !== card.id)];
  return renderAnswer(tr, cardForAspects(sameTopic, asked)?.card ?? card, lang);
}

/** The card whose buttons (详细说明, 去哪里办) were offered last, if any: a follow-up's context. */
export function lastCardOf(offered: readonly string[] | undefined): string | undefined {
  const id = offered?.find((o) => /^kb#[dwf]:/.test(o));
  return id?.slice(`${KB_CHOICE}d:`.length);
}
