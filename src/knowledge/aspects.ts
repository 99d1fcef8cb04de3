import type { Aspect, PolicyCard } from './card.schema.js';
import { fold } from './tokenize.js';

/**
 * What a question asks about its topic (card.schema ASPECTS), from its question words: 怎么领 is
 * `how`, 带什么 `bring`, 谁能 `who`, ཇི་ལྟར `how`, ཡིག་ཆ `bring`. Several may be asked at once.
 */
export function aspectsOf(text: string): Set<Aspect> {
  // "到期了怎么办" asks what to do, not how to apply: the generic phrase is no procedure word.
  const folded = fold(text).replace(WHAT_TO_DO, ' ');
  const out = new Set<Aspect>();
  for (const [aspect, pattern] of PATTERNS) if (pattern.test(folded)) out.add(aspect);
  return out;
}

/** "What do I do" (怎么办, 咋办, ག་འདྲ་བྱེད་དགོས): the situation is the question, not a procedure. */
const WHAT_TO_DO = /怎么办|咋办|咋整|怎么弄|ག་འདྲ་བྱེད་དགོས|ག་རེ་བྱེད་དགོས/gu;

const PATTERNS: readonly (readonly [Aspect, RegExp])[] = [
  [
    'how',
    /怎么|怎样|如何|咋|流程|手续|步骤|申领|办理|报名|ཇི་ལྟར|ག་འདྲ་བྱས|ག་འདྲ་བྱེད|ཐབས|སྟངས|ལག་ལེན་ག་འདྲ/u,
  ],
  ['where', /哪里|哪儿|在哪|去哪|哪个部门|哪个单位|地点|地址|ག་པར|གང་དུ|ག་བར|ག་ཕྱོགས|ས་ཆ་གང/u],
  ['bring', /带什么|带啥|带哪些|材料|证件|资料|要什么证|准备什么|ཡིག་ཆ|ཁྱེར/u],
  [
    'who',
    /谁|能不能(?:领|申请|享受|上|认定)|能(?:领|申请|享受)吗|算不算|条件|资格|符合|够不够|སུས|སུ་ལ|ཆ་རྐྱེན|ཆོག་གམ|ཆོག་གི་རེད་པས|ཐོབ་བམ/u,
  ],
  ['amount', /多少钱|多少|几块|金额|标准|贷多少|给多少|ག་ཚོད(?!་རིང)|ཇི་ཙམ|གྲངས་ཀ|སྒོར་མོ/u],
  [
    'duration',
    /多久|多长时间|几个月|几年|期限|到期|期满|满了|续签|还能续|能续|延长|ཡུན་ཇི་ཙམ|ཡུན་ག་ཚོད|ཟླ་བ་ག་ཚོད|ལོ་ག་ཚོད|ག་ཚོད་རིང|དུས་ཡུན་ཚང|བསྐྱར་འཇོག|དུས་འགྱངས/u,
  ],
  ['what', /是什么|什么是|啥是|是啥|有哪些|介绍|ག་རེ་ཡིན|ཅི་ཞིག་ཡིན|ག་རེ་རེད/u],
];

/**
 * The card of `ranked` (one topic's cards, best-ranked first) that answers what was asked: the
 * one covering most of the question's aspects (`hits`), the better-ranked on a tie; the
 * best-ranked (`hits` 0) when no card covers any, or the question asks none.
 */
export function cardForAspects(
  ranked: readonly PolicyCard[],
  asked: ReadonlySet<Aspect>,
): { card: PolicyCard; hits: number } | undefined {
  const first = ranked[0];
  if (!first) return undefined;
  let best = { card: first, hits: 0 };
  if (asked.size === 0) return best;
  for (const card of ranked) {
    const hits = (card.aspects ?? []).filter((a) => asked.has(a)).length;
    if (hits > best.hits) best = { card, hits };
  }
  return best;
}
