/**
 * Requests said in everyday words rather than a keyword: "请把我的信息都删掉", "ངའི་ཆ་འཕྲིན་བསུབ་རོགས"
 * (the person's rights over their data, which must never be missed), "有没有人工客服",
 * "我要跟人说". Each pattern is a whole short message in its keyword form (normalised,
 * lower-cased, trailing punctuation removed): a question about the thing ("删除信息后还能恢复吗")
 * does not match and goes to the Q&A.
 */
export type PhraseIntent = 'delete' | 'mydata' | 'human';

const DATA = '(?:个人)?(?:信息|数据|资料|记录|聊天记录)';
const PLEASE = '(?:请你?|麻烦你?|帮我|你们|我要|我想)?';
const DELETE = '(?:删掉|删除|删了|清除|清空|注销)';
const ME_BO = '(?:ང་ཡི་|ངའི་|ང་རང་གི་)';

const PHRASES: readonly (readonly [RegExp, PhraseIntent])[] = [
  [
    new RegExp(`^${PLEASE}(?:把|将)?我的${DATA}(?:都|全部|全都|全)?${DELETE}(?:吧|掉)?$`, 'u'),
    'delete',
  ],
  [new RegExp(`^${PLEASE}${DELETE}(?:我的)?(?:全部|所有)?${DATA}吧?$`, 'u'), 'delete'],
  [
    new RegExp(`^${ME_BO}?ཆ་འཕྲིན་(?:ཚང་མ་|ཡོངས་རྫོགས་)?(?:བསུབ|སུབ)(?:་རོགས|་དང|་དགོས|་འདོད)?$`, 'u'),
    'delete',
  ],
  [
    new RegExp(`^(?:你们)?(?:存|保存|记录|收集|留)了?我(?:的)?(?:什么|哪些|啥)${DATA}$`, 'u'),
    'mydata',
  ],
  [new RegExp(`^${PLEASE}(?:查看|看看|看一下|查一下)我的${DATA}$`, 'u'), 'mydata'],
  [new RegExp(`^我的${DATA}(?:有哪些|有什么|给我看看)$`, 'u'), 'mydata'],
  [
    new RegExp(`^(?:ཁྱེད་ཚོས་|ཁྱེད་ཚོར་)?${ME_BO}ཆ་འཕྲིན་ག་རེ་(?:ཉར|ཡོད|བཞག)(?:་ཡོད|་འདུག)?(?:་དམ|་པ)?$`, 'u'),
    'mydata',
  ],
  [/^(?:有没有|有)(?:人工|真人)(?:客服|服务)?$/u, 'human'],
  [
    /^(?:你是(?:不是)?机器人吗?[\s,，。？?]*)?我(?:要|想)(?:跟|和|找)(?:个|一个)?(?:真)?人(?:说|说话|聊|聊聊|谈谈)$/u,
    'human',
  ],
];

/** The request a short everyday sentence makes, if it is one of these. */
export function phraseIntent(form: string): PhraseIntent | undefined {
  if (form.length > 40) return undefined;
  return PHRASES.find(([pattern]) => pattern.test(form))?.[1];
}
