import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../engine/flows.js';
import { readGlossary } from '../glossary.js';
import { createTranslator } from '../i18n.js';
import { createIntentMatcher } from './intents.js';
import { readInput } from './read-input.js';
import type { Session } from './session.store.js';

const flows = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)));
const glossary = readGlossary(
  fileURLToPath(new URL('../../locales/glossary.json', import.meta.url)),
);
const intents = createIntentMatcher(glossary.keywords, glossary.languageNames, glossary.answers);
let distressChecks = 0;
const deps = {
  intents,
  flows,
  knowledge: () => ({
    isDistress: (t: string) => {
      distressChecks++;
      return t.includes('不想活');
    },
  }),
};
const menu: Session = { v: 1, at: 'main:menu', lang: 'zh-CN', updatedAt: 0, personId: 'p' };
const read = (text: string, session: Session = menu) =>
  readInput(deps, session, { kind: 'text', text });

describe('a button picked by its text', () => {
  const translator = createTranslator(fileURLToPath(new URL('../../locales', import.meta.url)));
  const labelled = { ...deps, translator };
  const at = (node: string, lang: 'zh-CN' | 'bo'): Session => ({ ...menu, at: node, lang });
  const pick = (text: string, session: Session) =>
    readInput(labelled, session, { kind: 'text', text }).input;

  it('its whole text, or its start when only one button starts so ("城关" for 城关区)', () => {
    const district = at('intake:q-district', 'zh-CN');
    expect(pick('城关区', district)).toEqual({ kind: 'choice', id: 'intake:q-district#chengguan' });
    expect(pick('城关', district)).toEqual({ kind: 'choice', id: 'intake:q-district#chengguan' });
    expect(pick('ཆུ་ཤུར', at('intake:q-district', 'bo'))).toEqual({
      kind: 'choice',
      id: 'intake:q-district#qushui',
    });
    // One character, or a start several buttons share, picks nothing.
    expect(pick('城', district).kind).toBe('text');
  });

  it("a button's whole text is that button even when it is a keyword too (我的信息 at the menu)", () => {
    expect(pick('我的信息', at('main:menu', 'zh-CN'))).toEqual({
      kind: 'choice',
      id: 'main:menu#me',
    });
    // Elsewhere the keyword keeps its meaning (/mydata).
    expect(pick('我的信息', at('jobs:menu', 'zh-CN'))).toEqual({
      kind: 'goto',
      node: 'privacy:mydata',
    });
  });
});

describe('reading a message once', () => {
  it('a number picks the nth choice of the current node (WeChat-style lists, full-width, Tibetan digits)', () => {
    expect(read('5').input).toEqual({ kind: 'choice', id: 'main:menu#interview' });
    expect(read('７').input).toEqual({ kind: 'choice', id: 'main:menu#training' });
    expect(read('༣').input).toEqual({ kind: 'choice', id: 'main:menu#career' });
  });

  it('a number written with a shad or a full-width stop picks too (༢།, ２．)', () => {
    expect(read('༢།').input).toEqual({ kind: 'choice', id: 'main:menu#assess' });
    expect(read('２．').input).toEqual({ kind: 'choice', id: 'main:menu#assess' });
  });

  it('不知道 or ང་མི་ཤེས in the interview practice shows the model answer (it was coached as a short answer)', () => {
    const practice: Session = { ...menu, at: 'interview:q1' };
    for (const t of ['不知道', '跳过', 'ང་མི་ཤེས།'])
      expect(read(t, practice).input).toEqual({ kind: 'choice', id: 'interview:q1#skip' });
    expect(read('不知道').input.kind).toBe('text');
  });

  it('reads the script of a command’s words, and none from a number that picks', () => {
    // /subscribe ཁ་ལོ་བ in a Chinese chat was answered in Chinese; 二 in a Tibetan one in Chinese.
    const cmd = readInput(deps, menu, { kind: 'command', name: 'subscribe', args: 'ཁ་ལོ་བ' });
    expect(cmd.script).toBe('bo');
    const tibetan: Session = { ...menu, lang: 'bo' };
    expect(read('二', tibetan)).toMatchObject({ input: { kind: 'choice' }, script: null });
    expect(read('第二个', tibetan).script).toBeNull();
  });

  it('emoji alone: 👍 is an ok, 😭 opens the support gently; emoji in words are words', () => {
    expect(read('👍').input).toEqual({ kind: 'goto', node: 'main:ack' });
    expect(read('🙏🙏').input).toEqual({ kind: 'goto', node: 'main:ack' });
    expect(read('😭😭😭').input).toEqual({ kind: 'goto', node: 'psych:start' });
    expect(read('💔 …').input).toEqual({ kind: 'goto', node: 'psych:start' });
    expect(read('失业金怎么领😭').input.kind).toBe('text');
    // Where words are awaited (a complaint), an emoji is the person's answer.
    expect(read('👍', { ...menu, at: 'main:complaint' }).input.kind).toBe('text');
  });

  it('a bare number that picks nothing, where words are awaited, asks again (投诉 then "2" filed "2")', () => {
    for (const at of ['main:complaint', 'jobs:subscribe-ask'])
      for (const n of ['2', '10', '༢'])
        expect(read(n, { ...menu, at }).input).toEqual({ kind: 'goto', node: at });
    expect(read('工资两个月没发', { ...menu, at: 'main:complaint' }).input.kind).toBe('text');
  });

  it('…or of the choices offered last when the turn recorded them (a pick-list of cards)', () => {
    const offered = { ...menu, offered: ['kb#c:a', 'kb#c:b'] };
    expect(read('2', offered).input).toEqual({ kind: 'choice', id: 'kb#c:b' });
    expect(read('9', offered).input.kind).toBe('text');
  });

  it('a typed yes or no answers a yes/no question (要, 好的, དགོས, 不用, མི་དགོས), and nothing else', () => {
    const asked: Session = { ...menu, at: 'intake:work-alerts' };
    for (const yes of ['要', '好的！', '嗯嗯', 'དགོས།', 'ལགས་སོ'])
      expect(read(yes, asked).input).toEqual({ kind: 'choice', id: 'intake:work-alerts#yes' });
    for (const no of ['不用了', '不要。', 'མི་དགོས', 'དགོས་མ་རེད།'])
      expect(read(no, asked).input).toEqual({ kind: 'choice', id: 'intake:work-alerts#no' });
    // A longer sentence stays text; at the menu (no yes/no there) 好的 is an acknowledgement,
    // but not where an answer is awaited (a complaint's text).
    expect(read('好的我想问一下失业金', asked).input.kind).toBe('text');
    expect(read('好的').input).toEqual({ kind: 'goto', node: 'main:ack' });
    expect(read('ཧ་གོ་སོང་།').input).toEqual({ kind: 'goto', node: 'main:ack' });
    // A bare "no thanks" where nothing was asked is taken the same way, not looked up.
    expect(read('不用了').input).toEqual({ kind: 'goto', node: 'main:ack' });
    expect(read('མི་དགོས།').input).toEqual({ kind: 'goto', node: 'main:ack' });
    expect(read('好的', { ...menu, at: 'main:complaint' }).input.kind).toBe('text');
  });

  it('a typed yes or no answers consent and erasure too (their buttons are agree/decline, confirm/cancel)', () => {
    // 要 or 同意 at "确定删除吗？" was taken for a plain "ok", and nothing was deleted.
    const erase: Session = { ...menu, at: 'privacy:delete' };
    for (const yes of ['要', '是的', '确定'])
      expect(read(yes, erase).input).toEqual({ kind: 'choice', id: 'privacy:delete#confirm' });
    expect(read('不要', erase).input).toEqual({ kind: 'choice', id: 'privacy:delete#cancel' });
    const consent: Session = { ...menu, at: 'intake:consent' };
    // ཡ་ཡ is Lhasa's everyday "OK" (a reviewer's was taken for distress).
    for (const yes of ['同意', 'དགོས།', 'མོས་མཐུན།', 'ཡ་ཡ'])
      expect(read(yes, consent).input).toEqual({ kind: 'choice', id: 'intake:consent#agree' });
    expect(read('不同意', consent).input).toEqual({ kind: 'choice', id: 'intake:consent#decline' });
    // Session 13's reviewer: "嗯 删吧", "འགྲིགས་ བསུབ" at the erasure and "ལགས་ཡིན" were not heard.
    for (const yes of ['嗯 删吧', '删吧', 'འགྲིགས་ བསུབ', 'ལགས་ཡིན'])
      expect(read(yes, erase).input, yes).toEqual({ kind: 'choice', id: 'privacy:delete#confirm' });
    expect(read('嗯 不要', erase).input.kind).toBe('text');
    // …and at the erasure only: "删掉吧" at a consent question is no consent (PIPL).
    for (const text of ['删掉吧', '嗯 删吧', 'བསུབ'])
      expect(read(text, consent).input, text).not.toEqual({
        kind: 'choice',
        id: 'intake:consent#agree',
      });
  });

  it('reads a liking typed at the self-assessment ("还行吧" is 一般, "དགའ" is 喜欢)', () => {
    // Session 13's reviewer: each got "请从下面选一项".
    const q: Session = { ...menu, at: 'assess:q3' };
    const cases = [
      ['还行吧', 'some'],
      ['不知道', 'some'],
      ['很喜欢', 'yes'],
      ['不太喜欢', 'no'],
      ['嗯 可以', 'yes'],
      ['དགའ', 'yes'],
      ['ཡག་པོ་མི་འདུག', 'no'],
    ] as const;
    for (const [text, id] of cases)
      expect(read(text, q).input, text).toEqual({ kind: 'choice', id: `assess:q3#${id}` });
    // Elsewhere they are no answer to pick.
    expect(read('还行吧', menu).input.kind).not.toBe('choice');
  });

  it('a yes that picks nothing at a form question stays in the form (not an "ok" that left it)', () => {
    // "是的" at the intake's languages question ended the intake without a word.
    for (const text of ['是的', 'ཡིན'])
      expect(read(text, { ...menu, at: 'intake:q-languages' }).input.kind, text).toBe('text');
  });

  it('files a complaint said at the end of its story, with the story (session 13’s reviewer)', () => {
    const text = '城关区就业服务站那个女的态度太差了 我去了三次都不给办 我要投诉她';
    const r = read(text);
    expect(r.input).toEqual({ kind: 'goto', node: 'main:complaint-filed' });
    expect(r.complaintText).toBe(text);
    // A question about complaining is not one, nor is one only thought of (a reviewer's).
    for (const other of [
      '窗口说材料不全 你是说我要投诉她？',
      '这事到底该找谁 我想投诉一下',
      '我会先和他沟通 如果不行我想投诉他',
    ])
      expect(read(other).input.kind, other).toBe('text');
    // Nor an interview answer about a former employer.
    const practice: Session = { ...menu, at: 'interview:q3' };
    expect(read('上家公司拖欠工资三个月 我想投诉他们', practice).complaintText).toBeUndefined();
  });

  it('asking to practise an interview starts the practice; "不知道怎么说" in it shows the model answer', () => {
    // Session 13's reviewer: the tips card; and a career card before the question again.
    expect(read('明天去面试保安 好紧张 能帮我练练吗').input).toEqual({
      kind: 'goto',
      node: 'interview:practice',
    });
    expect(read('面试要注意什么').input.kind).toBe('text');
    expect(read('面试又没过 不想活了 帮我练练').distress).toBe(true);
    expect(deps.intents.reply('不知道怎么说')).toBe('skip');
  });

  it('hears a keyword said with thanks or a greeting ("ལས་ཀ་རྙེད་སོང་ ཐུགས་རྗེ་ཆེ", "你好 人工")', () => {
    // Session 13's reviewer: the found-a-job news with thanks got a policy card, no congratulations.
    expect(read('ལས་ཀ་རྙེད་སོང་ ཐུགས་རྗེ་ཆེ').input).toEqual({ kind: 'goto', node: 'employment:start' });
    expect(read('你好 人工').input).toEqual({ kind: 'goto', node: 'main:human' });
    expect(read('人工 菜单').input.kind).toBe('text');
  });

  it('hears "stop sending me jobs" as leaving the job alerts', () => {
    for (const text of ['别再给我发岗位了', '不要再发岗位了！'])
      expect(read(text).input, text).toEqual({ kind: 'goto', node: 'jobs:unsubscribe' });
  });

  it('decides script and distress once, and keeps a command’s arguments', () => {
    distressChecks = 0;
    const r = read('我不想活了');
    expect(r).toMatchObject({ script: 'zh-CN', distress: true, input: { kind: 'text' } });
    expect(distressChecks).toBe(1);
    const c = readInput(deps, menu, { kind: 'command', name: 'complaint', args: ' 等了三个小时 ' });
    expect(c.input).toEqual({ kind: 'goto', node: 'main:complaint-filed' });
    expect(c.complaintText).toBe('等了三个小时');
    const k = read('投诉：窗口没人');
    expect(k.complaintText).toBe('窗口没人');
    // Asking about complaints is a question, not a complaint.
    expect(read('投诉怎么处理').input.kind).toBe('text');
    // "我要投诉" says it is one, alone (asked what happened) or with the story right after it.
    expect(read('我要投诉').input).toEqual({ kind: 'goto', node: 'main:complaint' });
    const story = read('我想投诉窗口的工作人员态度很差');
    expect(story.input).toEqual({ kind: 'goto', node: 'main:complaint-filed' });
    expect(story.complaintText).toBe('窗口的工作人员态度很差');
    expect(read('ཞུ་གཏུག་ཞུ་འདོད།').input).toEqual({ kind: 'goto', node: 'main:complaint' });
    // A reviewer's Tibetan complaints: told to send ཞུ་གཏུག, the word they had just sent.
    const bo = read('ཞུ་གཏུག་ཞུ་འདོད། ལས་བྱེད་པས་ང་ལ་བརྙས་བཅོས་བྱས');
    expect(bo.input).toEqual({ kind: 'goto', node: 'main:complaint-filed' });
    expect(bo.complaintText).toBe('ལས་བྱེད་པས་ང་ལ་བརྙས་བཅོས་བྱས');
    const shad = read('ཞུ་གཏུག། ལས་བྱེད་པས་ང་ལ་བརྙས་བཅོས་བྱས');
    expect(shad.complaintText).toBe('ལས་བྱེད་པས་ང་ལ་བརྙས་བཅོས་བྱས');
    expect(read('ང་ཞུ་གཏུག་བྱེད་འདོད').input).toEqual({ kind: 'goto', node: 'main:complaint' });
    // Asking how to complain is a question, in Tibetan too; and "I don't want to complain" is
    // no complaint.
    expect(read('ཞུ་གཏུག་ག་འདྲ་བྱེད་དགོས།').input.kind).toBe('text');
    expect(read('ཞུ་གཏུག་ཞུ་འདོད་མེད།').input.kind).toBe('text');
    expect(read('ཞུ་གཏུག་ཞུ་འདོད་ན་ག་འདྲ་བྱེད་དགོས').input.kind).toBe('text');
  });

  it('hears everyday requests to see or erase one’s data, and for a person', () => {
    const node = (text: string) => {
      const input = read(text).input;
      return input.kind === 'goto' ? input.node : input.kind;
    };
    for (const text of [
      '请把我的信息都删掉',
      '删掉我的数据吧',
      '把我的资料删了',
      'ངའི་ཆ་འཕྲིན་བསུབ་རོགས',
      'ངའི་ཆ་འཕྲིན་ཚང་མ་སུབ་རོགས།',
    ])
      expect(node(text), text).toBe('privacy:delete');
    for (const text of ['你们存了我什么信息', '查看我的信息', 'ཁྱེད་ཚོས་ངའི་ཆ་འཕྲིན་ག་རེ་ཉར་ཡོད'])
      expect(node(text), text).toBe('privacy:mydata');
    for (const text of [
      '有没有人工客服',
      '人工客服',
      '你是机器人吗 我要跟人说',
      '我想找个真人聊聊',
    ])
      expect(node(text), text).toBe('main:human');
    // "帮帮我" got "这个我帮不上忙": asked warmly what is wrong, a person and 12356 one tap away.
    for (const text of ['帮帮我', '请帮帮我！', '我需要帮助', 'ང་ལ་རོགས་རམ་དགོས', 'རོགས་རམ་གནང་རོགས།'])
      expect(node(text), text).toBe('main:help-me');
    // Questions about these things stay questions.
    for (const text of ['删除信息后还能恢复吗', '你们会把我的信息给别人吗', '人工客服几点上班'])
      expect(node(text), text).toBe('text');
  });

  it('a voice note goes to a counsellor once a language is known; before, the language is asked', () => {
    const voice = { kind: 'media', media: 'voice' } as const;
    expect(readInput(deps, menu, voice).input).toEqual({ kind: 'goto', node: 'main:voice' });
    expect(readInput(deps, { ...menu, lang: null }, voice).input).toEqual({ kind: 'media' });
  });
});
