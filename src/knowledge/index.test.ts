import { describe, expect, it } from 'vitest';
import { createKnowledgeIndex } from './index.js';
import { CARDS, topicOf } from './test-cards.fixture.js';

const index = createKnowledgeIndex(CARDS);

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
    // Care first; the card it also asked about is answered after the care.
    expect(index.decide('找不到工作，活着没意思，失业金也领不到', 'zh-CN')).toMatchObject({
      kind: 'distress',
      answer: { topic: 'unemployment-insurance' },
    });
    expect(index.decide('ལས་ཀ་མེད། འཚོ་བ་ལ་དོན་མེད།', 'bo')).toMatchObject({ kind: 'distress' });
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
