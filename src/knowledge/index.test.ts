import { describe, expect, it } from 'vitest';
import { cardSchema, type PolicyCard, type Topic } from './card.schema.js';
import { trainTopicClassifier } from './classifier.js';
import { createKnowledgeIndex, type Decision } from './index.js';

/** A small made-up knowledge base, independent of the real cards in knowledge/cards. */
function card(
  id: string,
  topic: Topic,
  zh: [string, string, string[]],
  bo: [string, string, string[]],
): PolicyCard {
  return cardSchema.parse({
    id,
    topic,
    region: 'national',
    reviewedAt: '2026-01-01',
    source: { 'zh-CN': '测试来源', bo: 'ཚོད་ལྟའི་ཁུངས' },
    title: { 'zh-CN': zh[0], bo: bo[0] },
    short: { 'zh-CN': zh[1], bo: bo[1] },
    details: { 'zh-CN': zh[1], bo: bo[1] },
    where: { 'zh-CN': '拨打12333咨询。', bo: '12333 ལ་ཁ་པར་གཏོང་རོགས།' },
    keywords: { 'zh-CN': zh[2], bo: bo[2] },
  });
}

const CARDS = [
  card(
    'ui-claim',
    'unemployment-insurance',
    [
      '怎样领取失业保险金',
      '缴费满一年、非本人意愿中断就业并办理失业登记的，可以申领失业保险金。',
      ['失业保险金', '失业金', '领失业金', '被辞退', '失业待遇'],
    ],
    [
      'ལས་ཤོར་ཉེན་འགོག་དངུལ་ལེན་ཚུལ',
      'ལོ་གཅིག་ཡན་གྱི་ཉེན་འགོག་འཇལ་ཡོད་ན་ལས་ཤོར་ཉེན་འགོག་དངུལ་ལེན་ཆོག',
      ['ལས་ཤོར་ཉེན་འགོག་དངུལ', 'ཉེན་འགོག་དངུལ', 'ལས་ནས་ཕྱིར་བུད'],
    ],
  ),
  card(
    'unemp-reg',
    'unemployment-registration',
    [
      '失业登记',
      '没有工作、想找工作的劳动年龄人员可以办理失业登记。',
      ['失业登记', '登记失业', '没工作了', '下岗'],
    ],
    [
      'ལས་ཤོར་ཐོ་འགོད',
      'ལས་ཀ་མེད་པ་དང་ལས་འཚོལ་འདོད་ན་ལས་ཤོར་ཐོ་འགོད་བྱེད་ཆོག',
      ['ལས་ཤོར་ཐོ་འགོད', 'ཐོ་འགོད', 'ལས་ཀ་མེད'],
    ],
  ),
  card(
    'startup-loan',
    'startup-loan',
    [
      '创业担保贷款',
      '自主创业可以申请创业担保贷款，政府给予贴息。',
      ['创业担保贷款', '贴息贷款', '创业贷款', '开店贷款'],
    ],
    [
      'ལས་གཞི་གསར་འཛུགས་ཀྱི་བུ་ལོན',
      'ལས་གཞི་གསར་འཛུགས་བྱེད་ན་བུ་ལོན་ཞུ་ཆོག',
      ['བུ་ལོན', 'ལས་གཞི་གསར་འཛུགས་བུ་ལོན', 'སྐྱེད་ཀ'],
    ],
  ),
  card(
    'startup-subsidy',
    'startup-subsidy',
    [
      '一次性创业补贴',
      '首次创业并正常经营的，可以申请一次性创业补贴。',
      ['创业补贴', '一次性创业补贴', '开店补贴'],
    ],
    [
      'ལས་གཞི་གསར་འཛུགས་ཀྱི་རོགས་དངུལ',
      'ཐེངས་དང་པོར་ལས་གཞི་གསར་འཛུགས་བྱས་ན་རོགས་དངུལ་ཞུ་ཆོག',
      ['ལས་གཞི་གསར་འཛུགས་རོགས་དངུལ', 'རོགས་དངུལ'],
    ],
  ),
  card(
    'interview',
    'interview-prep',
    [
      '面试准备',
      '面试前了解岗位，准备自我介绍，按时到场。',
      ['面试', '面试技巧', '面试紧张', '自我介绍'],
    ],
    ['ངོ་ཐུག་ཚོད་ལྟའི་གྲ་སྒྲིག', 'ངོ་ཐུག་ཚོད་ལྟའི་སྔོན་དུ་ལས་གནས་ཤེས་རྟོགས་བྱེད་དགོས', ['ངོ་ཐུག་ཚོད་ལྟ', 'ངོ་ཐུག', 'རང་ངོ་སྤྲོད']],
  ),
  card(
    'resume',
    'resume-writing',
    [
      '简历怎么写',
      '简历写清楚联系方式、工作经历和技能。',
      ['简历', '写简历', '简历模板', '工作经历'],
    ],
    [
      'ལོ་རྒྱུས་མདོར་བསྡུས་འབྲི་ཚུལ',
      'ལོ་རྒྱུས་མདོར་བསྡུས་ནང་འབྲེལ་གཏུག་བྱ་ཐབས་འབྲི་དགོས',
      ['ལོ་རྒྱུས་མདོར་བསྡུས', 'ལས་ཀའི་ཉམས་མྱོང'],
    ],
  ),
  card(
    'psy',
    'psychological-support',
    [
      '求职心理支持',
      '找工作不顺心里难受很正常，可以和就业指导员聊聊。',
      ['心里难受', '压力大', '焦虑', '没信心', '心情不好'],
    ],
    ['སེམས་ཁམས་རོགས་རམ', 'ལས་འཚོལ་སྐབས་སེམས་སྐྱོ་ན་ལམ་སྟོན་པ་དང་གླེང་ཆོག', ['སེམས་སྐྱོ', 'སེམས་ཁམས', 'སེམས་འཚབ']],
  ),
  card(
    'offices',
    'service-locations',
    [
      '就业服务大厅地址和电话',
      '各区县就业服务站工作日上班，电话12333。',
      ['办事大厅', '咨询电话', '上班时间', '地址'],
    ],
    [
      'ཞབས་ཞུ་ཁང་གི་ས་གནས་དང་ཁ་པར',
      'ཆུས་རྫོང་སོ་སོའི་ལས་ཞུགས་ཞབས་ཞུ་ས་ཚིགས',
      ['ཞབས་ཞུ་ཁང', 'ཁ་པར་ཨང་གྲངས', 'ས་གནས'],
    ],
  ),
];

const index = createKnowledgeIndex(CARDS);
const topicOf = (d: Decision): string =>
  d.kind === 'answer'
    ? d.card.topic
    : d.kind === 'clarify'
      ? `clarify:${d.options.map((o) => o.topic).join(',')}`
      : d.kind;

describe('search', () => {
  it('ranks the matching card first in Chinese and in Tibetan', () => {
    expect(index.search('失业金能领多久')[0]?.card.id).toBe('ui-claim');
    expect(index.search('ལས་ཤོར་ཉེན་འགོག་དངུལ་ཇི་ལྟར་ལེན་དགོས།', 'bo')[0]?.card.id).toBe('ui-claim');
    expect(index.search('ལོ་རྒྱུས་མདོར་བསྡུས་ཇི་ལྟར་འབྲི་དགོས།', 'bo')[0]?.card.id).toBe('resume');
  });

  it('finds nothing for text without any card term', () => {
    expect(index.search('今天天气怎么样')).toEqual([]);
  });

  it('tolerates common typos', () => {
    expect(index.search('明天面视要注意啥')[0]?.card.id).toBe('interview');
  });
});

describe('decide', () => {
  it('answers a clear question with high confidence', () => {
    const d = index.decide('单位把我辞退了，可以领失业金吗', 'zh-CN');
    expect(d.kind).toBe('answer');
    if (d.kind === 'answer') {
      expect(d.card.id).toBe('ui-claim');
      expect(d.confidence).toBeGreaterThan(0.5);
      expect(d.confidence).toBeLessThanOrEqual(1);
    }
    expect(topicOf(index.decide('ངོ་ཐུག་ཚོད་ལྟར་གྲ་སྒྲིག་ཇི་ལྟར་བྱེད་དགོས།', 'bo'))).toBe('interview-prep');
  });

  it('asks which one when two different cards fit equally', () => {
    const zh = index.decide('创业', 'zh-CN');
    expect(zh.kind).toBe('clarify');
    if (zh.kind === 'clarify') {
      expect(zh.options.map((o) => o.id).sort()).toEqual(['startup-loan', 'startup-subsidy']);
      expect(zh.options.length).toBeLessThanOrEqual(3);
    }
    const bo = index.decide('ལས་གཞི་གསར་འཛུགས།', 'bo');
    expect(bo.kind).toBe('clarify');
  });

  it('declines off-topic questions in both languages', () => {
    for (const [text, lang] of [
      ['今天天气怎么样', 'zh-CN'],
      ['昨晚的足球比赛谁赢了', 'zh-CN'],
      ['红烧牦牛肉怎么做', 'zh-CN'],
      ['帮我写一首诗', 'zh-CN'],
      ['དེ་རིང་གནམ་གཤིས་ག་འདྲ་འདུག', 'bo'],
      ['ང་ལ་གླུ་གཞས་ཤིག་བླངས་རོགས།', 'bo'],
    ] as const) {
      const d = index.decide(text, lang);
      expect(d.kind, text).toBe('decline');
    }
  });

  it('declines a near-miss from another service (a mortgage is not a startup loan)', () => {
    expect(index.decide('买房贷款利息多少', 'zh-CN').kind).toBe('decline');
    expect(topicOf(index.decide('创业贷款利息多少', 'zh-CN'))).not.toBe('decline');
  });

  it('does not answer on one generic word alone', () => {
    // 工作 appears in four topics' cards: alone it says nothing about which.
    expect(index.decide('我想问一下工作的事', 'zh-CN').kind).toBe('decline');
  });

  it('puts distress before everything else', () => {
    expect(index.decide('找不到工作，活着没意思，失业金也领不到', 'zh-CN')).toEqual({
      kind: 'distress',
    });
    expect(index.decide('ལས་ཀ་མེད། འཚོ་བ་ལ་དོན་མེད།', 'bo')).toEqual({ kind: 'distress' });
  });

  it('finds the question in a long story', () => {
    const story =
      '我今年四十八岁，以前在工地干了十几年，去年工地停工以后一直没活干，家里两个孩子上学，老婆身体也不好，' +
      '前几天有朋友说可以自己开个小店，我也想试试。请问开店可以申请贴息贷款吗？';
    expect(topicOf(index.decide(story, 'zh-CN'))).toBe('startup-loan');
    const boStory =
      'ང་ལོ་བཞི་བཅུ་ཞེ་བརྒྱད་ཡིན། སྔོན་ཆད་ལས་ཀ་བྱས་ནས་ལོ་བཅུ་ལྷག་སོང་། ད་ལོ་ལས་ཀ་མེད་པར་གྱུར། ' +
      'ལོ་རྒྱུས་མདོར་བསྡུས་ཇི་ལྟར་འབྲི་དགོས་སམ།';
    expect(topicOf(index.decide(boStory, 'bo'))).toBe('resume-writing');
  });

  it('handles Chinese and Tibetan mixed in one message', () => {
    expect(topicOf(index.decide('ང་ལ་ 简历 ཇི་ལྟར་འབྲི་དགོས།', 'bo'))).toBe('resume-writing');
    expect(topicOf(index.decide('失业金 ལས་ཤོར་ཉེན་འགོག་དངུལ', 'zh-CN'))).toBe(
      'unemployment-insurance',
    );
  });

  it('never throws and stays in range on odd input', () => {
    for (const text of [
      '',
      '   ',
      '？？？',
      '\u0000\u200B',
      '་།་།',
      'a'.repeat(5000),
      '失'.repeat(3000),
    ]) {
      const d = index.decide(text, 'zh-CN');
      if (d.kind !== 'distress') {
        expect(d.confidence).toBeGreaterThanOrEqual(0);
        expect(d.confidence).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('decide with a classifier learnt from examples', () => {
  // Made-up examples: situations the cards' words do not cover.
  const classifier = trainTopicClassifier([
    { text: '厂子关门了，交过社保，每个月能拿点钱吗', topic: 'unemployment-insurance' },
    { text: '公司倒闭了，交过保险的能领钱不', topic: 'unemployment-insurance' },
    { text: '被老板炒了，一直交着社保，现在有啥钱可以领', topic: 'unemployment-insurance' },
    { text: '明天要去见老板，心里慌，咋说话', topic: 'interview-prep' },
    { text: '见老板的时候穿啥好', topic: 'interview-prep' },
    { text: '见工的时候老板问我为啥没上班咋回', topic: 'interview-prep' },
    { text: '想自己干点买卖，本钱不够', topic: 'startup-loan' },
    { text: '本钱不够开店，政府能借点不', topic: 'startup-loan' },
    { text: '本钱从哪来，想开个甜茶馆', topic: 'startup-loan' },
    { text: '甜茶馆搞不起来', topic: 'startup-loan' },
    { text: '今天拉萨下雨吗', topic: 'none' },
    { text: '酥油茶怎么打', topic: 'none' },
    { text: '推荐个好看的电视剧', topic: 'none' },
    { text: '天气预报说明天下雪吗', topic: 'none' },
  ]);
  const learnt = createKnowledgeIndex(CARDS, { classifier });

  it('answers a situation the cards never name, from the topic the examples teach', () => {
    const question = '我们厂子倒闭了，社保交了五年，能拿点钱吗';
    expect(index.decide(question, 'zh-CN').kind).not.toBe('answer');
    const d = learnt.decide(question, 'zh-CN');
    expect(d.kind).toBe('answer');
    if (d.kind === 'answer') expect(d.card.id).toBe('ui-claim');
  });

  it('offers the cards of the topic when none of them shares a word with the question', () => {
    const two = createKnowledgeIndex(
      [...CARDS, { ...CARDS.find((c) => c.id === 'startup-loan')!, id: 'startup-loan-2' }],
      { classifier },
    );
    const d = two.decide('甜茶馆想搞起来', 'zh-CN');
    expect(d.kind).toBe('clarify');
    if (d.kind === 'clarify')
      expect(d.options.map((o) => o.topic)).toEqual(['startup-loan', 'startup-loan']);
  });

  it('declines what it learnt is off-topic', () => {
    expect(learnt.decide('明天拉萨下雨吗', 'zh-CN').kind).toBe('decline');
  });

  it('leaves the decision to the ranking when unsure, or when its topic has no card', () => {
    // 创业 alone: the examples say nothing of it, so the ranking still asks which card.
    expect(learnt.decide('创业', 'zh-CN').kind).toBe('clarify');
    const noLoanCard = createKnowledgeIndex(
      CARDS.filter((c) => c.topic !== 'startup-loan'),
      { classifier },
    );
    expect(topicOf(noLoanCard.decide('本钱不够开店，政府能借点不', 'zh-CN'))).not.toBe(
      'startup-loan',
    );
  });

  it('decides only as sure as its settings say', () => {
    const question = '我们厂子倒闭了，社保交了五年，能拿点钱吗';
    const never = createKnowledgeIndex(CARDS, { classifier, settings: { sure: 1.01, known: 0 } });
    expect(never.decide(question, 'zh-CN')).toEqual(index.decide(question, 'zh-CN'));
  });

  it('still puts distress first', () => {
    expect(learnt.decide('厂子关门了，活着没意思', 'zh-CN')).toEqual({ kind: 'distress' });
  });
});
