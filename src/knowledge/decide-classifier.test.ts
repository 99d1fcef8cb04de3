import { describe, expect, it } from 'vitest';
import { trainTopicClassifier } from './classifier.js';
import { createKnowledgeIndex } from './index.js';
import { CARDS, topicOf } from './test-cards.fixture.js';

const index = createKnowledgeIndex(CARDS);

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
