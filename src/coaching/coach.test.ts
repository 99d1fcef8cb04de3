import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coachAnswer, loadRubrics } from './coach.js';

const rubrics = loadRubrics(
  join(fileURLToPath(import.meta.url), '..', '..', '..', 'knowledge', 'coaching'),
);
const q1 = rubrics.get('interview-q1')!;

describe('coachAnswer', () => {
  it('finds every rubric the interview flow names', () => {
    for (const i of [1, 2, 3, 4]) expect(rubrics.has(`interview-q${i}`)).toBe(true);
  });

  it('says a one-line answer is short and lacks an example', () => {
    const c = coachAnswer(q1, '我叫扎西', 'zh-CN');
    expect(c.length).toBe('short');
    expect(c.example).toBe(false);
    expect(c.covered).toContain('name');
    expect(c.missing).toEqual(expect.arrayContaining(['experience', 'motivation']));
  });

  it('recognises a concrete example and the points covered', () => {
    const c = coachAnswer(
      q1,
      '您好，我叫卓玛，今年46岁，以前在宾馆做了8年客房服务员，做事认真负责，很少请假。这次想应聘保洁员，希望能用上以前的经验。',
      'zh-CN',
    );
    expect(c.length).toBe('ok');
    expect(c.example).toBe(true);
    expect(c.missing).toEqual([]);
  });

  it('works on Tibetan answers', () => {
    const c = coachAnswer(q1, 'ངའི་མིང་ལ་སྒྲོལ་མ་ཟེར། ལོ་ 8 རིང་མགྲོན་ཁང་དུ་ལས་ཀ་བྱས་མྱོང་།', 'bo');
    expect(c.covered).toEqual(expect.arrayContaining(['name', 'experience']));
    expect(c.example).toBe(true);
  });
});
