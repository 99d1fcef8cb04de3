import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TOPICS } from './card.schema.js';
import { createKnowledgeIndex } from './index.js';
import { loadCardsFromDir } from './load-cards.js';
import { topicOf } from './qa-line.js';
import { shippedKnowledge } from './shipped.js';

const DIR = join(fileURLToPath(import.meta.url), '..', '..', '..', 'knowledge', 'cards');

// The real knowledge base grows over time: only structural facts are asserted here, never
// particular cards or scores.
describe('knowledge/cards', () => {
  const cards = loadCardsFromDir(DIR);
  const index = createKnowledgeIndex(cards);

  it.each(TOPICS)('topic %s has a card that its own titles find, in both languages', (topic) => {
    const mine = cards.filter((c) => c.topic === topic);
    expect(mine.length, `no card for ${topic}`).toBeGreaterThan(0);
    for (const lang of ['zh-CN', 'bo'] as const) {
      const found = mine.some((c) => topicOf(index.decide(c.title[lang], lang)).topic === topic);
      expect(found, `${topic}: no ${lang} title leads back to the topic`).toBe(true);
    }
  });
});

describe('the shipped knowledge (cards and the classifier learnt from knowledge/examples)', () => {
  const index = shippedKnowledge(join(DIR, '..', '..'), (file, problem) => {
    throw new Error(`${file}: ${problem}`);
  }).index;

  it('never throws and stays in range on any text', () => {
    for (const [text, lang] of [
      ['', 'zh-CN'],
      ['🙂🙂🙂 👍', 'zh-CN'],
      ['\u0000\u0007\u001b[31m\u200B', 'zh-CN'],
      ['ན'.repeat(4096), 'bo'],
      [`${'ལས་ཀ་མེད། '.repeat(400)}`, 'bo'],
      ['失业金'.repeat(1500), 'zh-CN'],
      ['a'.repeat(5000), 'bo'],
      ['１２３３３？？？', 'zh-CN'],
      ['\uD800 lone surrogate', 'zh-CN'],
    ] as const) {
      const d = index.decide(text, lang);
      if (d.kind !== 'distress') {
        expect(d.confidence, text.slice(0, 20)).toBeGreaterThanOrEqual(0);
        expect(d.confidence, text.slice(0, 20)).toBeLessThanOrEqual(1);
      }
      if (d.kind === 'clarify') expect(d.options.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('declines empty or meaningless text rather than guessing a topic', () => {
    for (const text of ['', '🙂🙂🙂', '？？？', '...'])
      expect(index.decide(text, 'zh-CN').kind, text).toBe('decline');
  });
});

describe('hard phrasing and distress with the shipped knowledge', () => {
  const { index } = shippedKnowledge(join(DIR, '..', '..'), (file, problem) => {
    throw new Error(`${file}: ${problem}`);
  });

  // Made up for this test (not from any evaluation set): no lexicon phrase in any of them.
  it.each([
    ['zh-CN', '欠了一屁股债，工作也没了，家里人没有我这个拖累可能会过得更好'],
    ['zh-CN', '那个就是我已经把药都攒好了 放在枕头底下 失业金就不用帮我查了'],
    ['bo', 'ང་ད་ནས་མུ་མཐུད་འཚོ་མི་ཐུབ། མི་ཚེ་ལ་དོན་སྙིང་ཅི་ཡང་མི་འདུག'],
  ] as const)('puts care first for a %s message that never says "suicide": %s', (lang, text) => {
    expect(index.isDistress(text)).toBe(true);
    expect(index.decide(text, lang).kind).toBe('distress');
  });

  // On a phone a space stands where a comma or a shad would: the risk clause was drowned by the
  // rest of the message when only punctuation split it (a reviewer's conversations, session 10).
  it.each([
    ['zh-CN', '失业半年了 每天晚上都睡不着 心里很难受 活着没有任何意义 我能领失业金吗'],
    [
      'bo',
      'ལས་ཀ་ཤོར་ནས་ཟླ་བ་དྲུག་སོང་། ཉིན་ལྟར་གཉིད་མི་ཁུག སེམས་སྡུག་པོ་འདུག འཚོ་བ་འདི་ལ་དོན་དག་ཅི་ཡང་མི་འདུག ཧྲི་ཡེ་ཅིན་ལེན་ཆོག་གམ།',
    ],
  ] as const)('finds the risk clause among clauses parted by spaces (%s): %s', (lang, text) => {
    expect(index.decide(text, lang).kind).toBe('distress');
  });

  it.each([
    ['zh-CN', '我不想活了'],
    ['zh-CN', '我真的不想活了'],
    ['zh-CN', '找了一年工作都没找到，我不想活了'],
    // A reviewer's: the scam card (on 轻松) and the benefit card followed the care.
    ['zh-CN', '要是我不在了他们会轻松点'],
    ['bo', 'ང་སྟོད་ལུང་ནས་ཡིན། ང་ལ་ལས་ཀ་མེད་པ་ལོ་གཅིག་སོང་། ད་ནི་འཚོ་བ་མུ་མཐུད་རྒྱུའི་སྙིང་སྟོབས་མི་འདུག'],
  ] as const)('gives no card beside the care when nothing is asked (%s): %s', (lang, text) => {
    // "我不想活了" came with the card for registering a new job (on 活).
    expect(index.decide(text, lang)).toEqual({ kind: 'distress' });
  });

  // A reviewer's Tibetan "I have no hope", "I am a burden to my family": the off-topic decline,
  // a job card, or only the support card (the Chinese was caught).
  it.each([
    ['bo', 'ང་ལ་རེ་བ་མེད།'],
    ['bo', 'ང་ལ་རེ་བ་མི་འདུག'],
    ['bo', 'ང་ལ་རེ་བ་མེད། ལས་ཀ་ཡང་མེད།'],
    ['bo', 'ལས་ཀ་མེད་ ང་ལ་རེ་བ་མེད'],
    ['bo', 'ངས་ཁྱིམ་མི་ལ་ཁུར་པོ་རེད'],
    // Session 13's reviewer: "I have lost hope, I cry every day" was asked to rephrase.
    ['bo', 'ང་རེ་བ་ཆད་སོང་ ཉིན་རེ་ངུ་གི་ཡོད'],
  ] as const)('hears hopelessness in Tibetan (%s): %s', (lang, text) => {
    expect(index.decide(text, lang).kind).toBe('distress');
  });

  it('still answers the question asked beside the distress, after the care', () => {
    const d = index.decide('失业半年了，心里很难受。活着没有任何意义。我能领失业金吗？', 'zh-CN');
    expect(d.kind).toBe('distress');
    expect(d.kind === 'distress' && d.answer?.topic).toBe('unemployment-insurance');
  });

  it.each([
    ['zh-CN', '今天面试了三家，累死了，失业金怎么领'],
    ['zh-CN', '丧葬补助金怎么申请'],
    ['zh-CN', '我朋友最近很消沉，我该怎么帮他'],
  ] as const)('does not flag everyday words (%s): %s', (lang, text) => {
    expect(index.decide(text, lang).kind).not.toBe('distress');
  });

  // Thanks and small talk were flagged (and each opened a counsellor case) when the model's
  // ordinary messages were nearly all policy questions. Made up for this test.
  it.each([
    ['zh-CN', '谢谢你'],
    ['zh-CN', '好的，谢谢你帮我'],
    ['bo', 'ཁྱེད་རང་ལ་ཐུགས་རྗེ་ཆེ།'],
    ['bo', 'ཁྱེད་རང་ལ་བཀའ་དྲིན་ཆེ།'],
    ['bo', 'ཁྱེད་རང་ལ་སྐྱིད་པོ་ཡོད་པ་ཤོག'],
    ['bo', 'ཁྱེད་རང་'],
  ] as const)('does not take thanks or small talk for distress (%s): %s', (lang, text) => {
    expect(index.isDistress(text)).toBe(false);
  });

  // A reviewer's: leaving a form opened a crisis case ("不想…了" read as "不想活了").
  it.each([
    ['zh-CN', '算了 我不想填了'],
    ['zh-CN', '我不想弄了'],
    ['zh-CN', '不想找了 累了'],
  ] as const)('takes giving up a task for what it is (%s): %s', (lang, text) => {
    expect(index.isDistress(text)).toBe(false);
  });

  // Session 13's reviewer: deciding on a course, being ready for an interview, saying goodbye
  // and a question begun in two messages got the crisis reply and a counsellor case (the
  // model's "我都想好了", "都准备好了", "ང་འགྲོ་གི་ཡིན" of farewell notes). Their own words.
  it.each([
    ['zh-CN', '我想好了 就报那个电工培训'],
    ['zh-CN', '东西都准备好了 明天去面试'],
    ['zh-CN', '就是那个失业了'],
    ['bo', 'ཐུགས་རྗེ་ཆེ། ང་འགྲོ་གི་ཡིན། ཡང་ཐུག་ཡོང'],
  ] as const)('takes everyday plans and goodbyes for what they are (%s): %s', (lang, text) => {
    expect(index.isDistress(text)).toBe(false);
  });

  it.each([
    ['bo', 'ང་མི་ཤེས།'],
    ['bo', 'ངས་ཧ་མི་གོ'],
    ['zh-CN', '我不知道'],
    ['zh-CN', '跳过'],
  ] as const)('takes a short "I don\'t know" for what it is (%s): %s', (lang, text) => {
    // ང་མི་ཤེས typed in the interview practice got the crisis reply and a counsellor case.
    expect(index.isDistress(text)).toBe(false);
  });

  // A reviewer's everyday replies that got the crisis reply and a case: a word or two gives the
  // model too little to go on alone. Short risk phrases still count (the lexicon, a sure model).
  it.each([
    ['bo', 'ཡ་ཡ', false],
    ['bo', 'ཡ་ཡ་ཐུགས་རྗེ་ཆེ།', false],
    ['bo', 'མ་རེད།', false],
    ['bo', 'འདི་ནས་འཕྲིན་ཡིག་ཐོངས།', false],
    ['zh-CN', '选好了', false],
    ['zh-CN', '算了', false],
    ['zh-CN', '走了', false],
    ['zh-CN', '不想活了', true],
    ['zh-CN', '我撑不下去了', true],
    ['bo', 'ང་ཤི་འདོད།', true],
    ['bo', 'ངས་ཁ་ཆེམས་བྲིས་ཚར།', true],
  ] as const)('reads a short reply (%s) %s: distress %s', (lang, text, distress) => {
    expect(index.isDistress(text)).toBe(distress);
  });

  it.each([
    ['zh-CN', '谢谢你这些天陪我说话，以后就不用回我了，我不想再活下去'],
    ['bo', 'ཁྱེད་རང་ལ་ཐུགས་རྗེ་ཆེ། ང་ད་ནས་མུ་མཐུད་འཚོ་མི་ཐུབ།'],
  ] as const)('still puts care first when distress comes with thanks (%s): %s', (lang, text) => {
    expect(index.isDistress(text)).toBe(true);
  });

  it.each([
    ['zh-CN', '补贴'],
    ['zh-CN', '登记'],
    ['bo', 'རོགས་དངུལ'],
    ['bo', 'པུ་ཐེ'],
  ] as const)('offers a short pick-list of topics for a one-word %s question: %s', (lang, text) => {
    const d = index.decide(text, lang);
    expect(d.kind).toBe('clarify');
    if (d.kind === 'clarify') {
      expect(d.options.length).toBeGreaterThanOrEqual(2);
      expect(new Set(d.options.map((c) => c.topic)).size).toBe(d.options.length);
    }
  });

  it.each([
    ['zh-CN', '明天拉萨天气怎么样'],
    ['bo', 'སང་ཉིན་ལྷ་སར་གནམ་གཤིས་ག་འདྲ་ཡོང་གི་རེད།'],
  ] as const)('declines the weather as off-topic, not as "not sure" (%s)', (lang, text) => {
    expect(index.decide(text, lang)).toMatchObject({ kind: 'decline', reason: 'offtopic' });
  });

  it('reads voice-note homophones and loanwords in Tibetan letters like the terms they sound like', () => {
    const heard = topicOf(index.decide('那个失业等级要去哪里办啊', 'zh-CN')).topic;
    expect(heard).toBe(topicOf(index.decide('失业登记要去哪里办', 'zh-CN')).topic);
    const loan = topicOf(index.decide('ཧྲི་ཡེ་ཅིན་ག་པར་ལེན་དགོས', 'bo')).topic;
    expect(loan).toBe('unemployment-insurance');
  });
});

describe('the card that answers what was asked', () => {
  const { index } = shippedKnowledge(join(DIR, '..', '..'), (file, problem) => {
    throw new Error(`${file}: ${problem}`);
  });
  const answered = (text: string, lang: 'zh-CN' | 'bo') => {
    const d = index.decide(text, lang);
    return d.kind === 'answer' ? d : undefined;
  };

  it.each([
    ['zh-CN', '失业金怎么领', 'how'],
    ['zh-CN', '谁能领失业金', 'who'],
    ['zh-CN', '失业金能领几个月', 'duration'],
    ['zh-CN', '就业困难人员认定要带什么材料', 'bring'],
    ['bo', 'ལས་མེད་ཉེན་འགོག་དངུལ་ཇི་ལྟར་ལེན་དགོས།', 'how'],
  ] as const)('%s %s gets a card about %s', (lang, text, aspect) => {
    expect(answered(text, lang)?.card.aspects).toContain(aspect);
  });

  // A reviewer's: "ལེན་སྟངས" (the way to receive) and "relief money" got the CV card; a day's
  // story before the question, parted by a space, got the unpaid-wages card.
  it.each([
    ['bo', 'ལས་མེད་གསོ་སྐྱོང་དངུལ་ལེན་སྟངས', 'ui-how-to-claim'],
    ['bo', 'ལས་མེད་ཉེན་འགོག་དངུལ་ལེན་སྟངས', 'ui-how-to-claim'],
    ['zh-CN', '今天跑了一天累死了 失业登记明天还能办吗', 'unemployment-registration-what'],
    ['zh-CN', 'CV怎么写', 'resume-how-to-write'],
  ] as const)('%s %s gets %s', (lang, text, id) => {
    expect(answered(text, lang)?.card.id).toBe(id);
  });

  // A reviewer's: the second question of a message was silently dropped.
  it.each([
    ['zh-CN', '失业金怎么领 还有培训有没有补贴', 'unemployment-insurance', 'training-subsidy'],
    [
      'bo',
      'ལས་མེད་ཉེན་འགོག་དངུལ་ལེན་སྟངས་དང་ སྦྱོང་བརྡར་རོགས་དངུལ་ཡོད་དམ།',
      'training-subsidy',
      'unemployment-insurance',
    ],
  ] as const)('answers one question and offers the other (%s): %s', (lang, text, first, second) => {
    const d = answered(text, lang);
    expect(d?.card.topic).toBe(first);
    expect(d?.related?.topic).toBe(second);
  });

  it('offers no second card for a follow-up that needs the first clause ("有什么政策？")', () => {
    const d = answered('我是残疾人，有什么政策？怎么申请？', 'zh-CN');
    expect(d?.related?.topic ?? 'none').not.toBe('graduates');
    expect(d?.related).toBeUndefined();
  });

  it('mentions the age rule beside a 50-year-old’s job-search answer', () => {
    const d = answered('我五十多了还能找到活吗', 'zh-CN');
    expect(d?.related?.topic).toBe('difficulty-identification');
    expect(d?.card.topic).not.toBe('difficulty-identification');
  });

  it('sends unpaid wages after a closure to labour rights, not an employer subsidy', () => {
    expect(answered('公司倒闭了工资没发', 'zh-CN')?.card.topic).toBe('labor-rights');
  });
});
