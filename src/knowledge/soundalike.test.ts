import { describe, expect, it } from 'vitest';
import { soundalike } from './soundalike.js';

describe('soundalike', () => {
  it.each([
    ['失业等级在哪办', '失业登记在哪办'],
    ['社宝断了能补吗', '社保断了能补吗'],
    ['公意性岗位还招人不', '公益性岗位还招人不'],
    ['就业困难认顶要啥', '就业困难认定要啥'],
    ['十页金咋领', '失业金咋领'],
    ['零就业加庭', '零就业家庭'],
  ])('reads %s as %s', (heard, meant) => {
    expect(soundalike(heard)).toBe(meant);
  });

  it.each(['技能等级证书怎么考', '事业单位招聘', '我想了解一下', 'ལས་ཀ་社保', '面试'])(
    'leaves %s alone',
    (text) => {
      expect(soundalike(text)).toBe(text);
    },
  );

  it('corrects every repeat of a long voice note', () => {
    const long = '我那个就是想问一下失业等级在哪里办然后社宝能不能补'.repeat(400);
    const out = soundalike(long);
    expect(out.split('失业登记').length - 1).toBe(400);
    expect(out).not.toContain('社宝');
  });
});
