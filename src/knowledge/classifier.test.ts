import { describe, expect, it } from 'vitest';
import {
  features,
  trainTopicClassifier,
  trainTopicClassifierAsync,
  type Example,
} from './classifier.js';

/** Made-up examples: situations that never name the policy, as people describe them. */
const EXAMPLES: Example[] = [
  { text: '厂子关门了，我交了好几年社保，每个月能拿点钱吗', topic: 'unemployment-insurance' },
  { text: '公司倒闭了，交过保险的能领钱不', topic: 'unemployment-insurance' },
  { text: '被老板炒了，之前单位一直给我交社保，现在有啥钱可以领', topic: 'unemployment-insurance' },
  { text: 'ཀུང་སི་སྒོ་བརྒྱབ་སོང་། ཉེན་འགོག་འཇལ་ཡོད། དངུལ་ཐོབ་བམ།', topic: 'unemployment-insurance' },
  { text: '老板三个月没给工钱，打电话也不接', topic: 'labor-rights' },
  { text: '干完活包工头跑了，钱一分没拿到', topic: 'labor-rights' },
  { text: '工资拖着不发，我该找谁', topic: 'labor-rights' },
  { text: 'ལས་དཔོན་གྱིས་ཟླ་བ་གསུམ་གླ་ཆ་སྤྲད་མེད།', topic: 'labor-rights' },
  { text: '今天拉萨下雨吗', topic: 'none' },
  { text: '酥油茶怎么打', topic: 'none' },
  { text: '推荐个好看的电视剧', topic: 'none' },
  { text: 'དེ་རིང་གནམ་གཤིས་ག་འདྲ་འདུག', topic: 'none' },
];

const top = (p: ReadonlyMap<string, number>): [string, number] =>
  [...p].sort((a, b) => b[1] - a[1])[0]!;

describe('topic classifier', () => {
  const clf = trainTopicClassifier(EXAMPLES);

  it('learns the topic of a new wording from the situations in its examples', () => {
    expect(top(clf.predict('我们厂子倒闭了，社保交了五年，能领点钱吗').posterior)[0]).toBe(
      'unemployment-insurance',
    );
    expect(top(clf.predict('包工头不给工钱咋办').posterior)[0]).toBe('labor-rights');
    expect(top(clf.predict('ལས་དཔོན་གྱིས་གླ་ཆ་མ་སྤྲད།').posterior)[0]).toBe('labor-rights');
    expect(top(clf.predict('明天拉萨下雪吗').posterior)[0]).toBe('none');
  });

  it('gives a probability per topic seen in training, summing to 1', () => {
    const p = clf.predict('工资').posterior;
    expect([...p.keys()].sort()).toEqual(['labor-rights', 'none', 'unemployment-insurance']);
    expect([...p.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('says how much of the text it knows, and never throws on odd text', () => {
    for (const text of ['', '🙂🙂', 'ཀཀཀཀ', '\u0000x', 'ན'.repeat(4096), '？？？', 'qwerty']) {
      const { posterior, known } = clf.predict(text);
      expect(known).toBeLessThan(0.5);
      expect([...posterior.values()].every((p) => p >= 0 && p <= 1)).toBe(true);
    }
    expect(clf.predict('工资拖着不发，我该找谁').known).toBeCloseTo(1, 9);
    expect(clf.predict('工资拖着不发，我该找谁，真是太难熬了').known).toBeLessThan(0.95);
  });

  it('trains the same model in slices as at once (a server keeps answering meanwhile)', async () => {
    const many = Array.from({ length: 30 }, () => EXAMPLES).flat();
    let finished = false;
    let servedMeanwhile = false;
    const training = trainTopicClassifierAsync(many).then((clf) => {
      finished = true;
      return clf;
    });
    setImmediate(() => (servedMeanwhile = !finished));
    const sliced = await training;
    expect(servedMeanwhile).toBe(true);
    const once = trainTopicClassifier(many);
    for (const text of ['厂子关门了', '工钱没给', 'ལས་ཀ་མེད།'])
      expect(sliced.predict(text)).toEqual(once.predict(text));
  });

  it('trains the same model every time (every process must decide alike)', () => {
    const again = trainTopicClassifier(EXAMPLES);
    for (const text of ['厂子关门了', '工钱没给', 'ལས་ཀ་མེད།'])
      expect(again.predict(text)).toEqual(clf.predict(text));
  });
});

describe('features', () => {
  it('are L2-normalised, so a long story is no more certain than a short question', () => {
    for (const text of ['失业金', '我今年五十岁，厂子关门了，家里孩子还在上学，请问能领失业金吗']) {
      const norm = Math.hypot(...features(text).values());
      expect(norm).toBeCloseTo(1, 9);
    }
  });

  it('weigh the question above the story around it', () => {
    const f = features('我在工地干了十年，腰也不好。请问失业金怎么领？');
    expect(f.get('失业')!).toBeGreaterThan(f.get('工地')!);
  });

  it('include the concepts everyday words name', () => {
    expect([...features('厂子关门了').keys()].some((k) => k.startsWith('~'))).toBe(true);
  });
});
