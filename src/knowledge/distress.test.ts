import { describe, expect, it } from 'vitest';
import { detectDistress } from './distress.js';

describe('detectDistress', () => {
  it.each([
    '活着没意思',
    '我真的不想再活了',
    '找了一年工作，活不下去了',
    '有时候想死',
    '撑不下去了',
    '想 轻 生',
    'ང་འཚོ་བ་ལ་དོན་མེད་པ་འདྲ།',
    'ང་ཤི་ན་དགའ་པོ་འདུག',
    'རང་སྲོག་གཅོད་འདོད།',
    'ང་གསོན་པོ་སྡོད་འདོད་མེད།',
  ])('flags %s', (text) => {
    expect(detectDistress(text)).toBe(true);
  });

  it.each([
    '面试怎么准备',
    '想死你了',
    '累死了，失业金怎么领',
    '找了半年工作都没找到，心里很难受',
    'ལས་ཀ་མ་རྙེད་པས་སེམས་སྐྱོ་པོ་བྱུང་།',
    'ལས་ཤོར་ཉེན་འགོག་དངུལ་ཇི་ལྟར་ལེན་དགོས།',
  ])('leaves %s alone', (text) => {
    expect(detectDistress(text)).toBe(false);
  });
});
