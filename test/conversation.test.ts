import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundHandler, TEXT_CAP } from '../src/conversations/handle-inbound.js';
import { createIntentMatcher } from '../src/conversations/intents.js';
import { readGlossary } from '../src/glossary.js';
import { runMessageRetention } from '../src/retention/retention.processor.js';
import { startTestApp, type TestApp } from './support/app.js';
import { ev, HAN, TIBETAN } from './support/events.js';

const text = (chatId: string, t: string) => ev(chatId, { kind: 'text', text: t });

describe('conversation engine against real Redis and FerretDB', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: false });
  });
  afterAll(() => t.close());

  it('keeps the chosen language in the profile and resumes at the menu in it days later', async () => {
    const chat = 'resume-1';
    await t.deps.handleInbound(ev(chat, { kind: 'command', name: 'start', args: '' }));
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#bo' }));
    const session = await t.deps.sessions.get(`web:${chat}`);
    expect(session?.lang).toBe('bo');
    expect((await t.deps.people.findById(session!.personId))?.language).toBe('bo');

    // Nine days later the Redis session is gone; the profile still knows the language.
    await t.deps.sessions.delete(`web:${chat}`);
    const glossary = readGlossary(new URL('../locales/glossary.json', import.meta.url).pathname);
    const later = createInboundHandler({
      ...t.deps,
      knowledge: () => t.deps.knowledge.current(),
      intents: createIntentMatcher(glossary.keywords, glossary.languageNames),
      now: () => Date.now() + 9 * 24 * 3600 * 1000,
    });
    const [reply] = await later(ev(chat, { kind: 'media', media: 'sticker' }));
    expect(reply?.lang).toBe('bo');
    const back = await later(text(chat, 'hello'));
    expect(back[0]?.text).toMatch(TIBETAN);
    expect(back[0]?.choices).toHaveLength(10);
  });

  it.each([
    ['zh-CN', '谢谢你的帮助！', 'main:thanks'],
    ['bo', 'ཁྱེད་རང་ལ་ཐུགས་རྗེ་ཆེ།', 'main:thanks'],
    ['zh-CN', '再见', 'main:bye'],
    ['bo', 'ག་ལེར་བཞུགས།', 'main:bye'],
    ['zh-CN', '你是机器人吗？', 'main:welcomeBack'],
    ['bo', 'ཁྱེད་རང་སུ་ཡིན།', 'main:welcomeBack'],
    ['zh-CN', '好的', 'main:ack'],
    ['bo', 'ཧ་གོ་སོང་།', 'main:ack'],
  ] as const)('answers small talk in %s as a person would expect: %s', async (lang, said, key) => {
    const chat = `talk-${key}-${lang}`;
    await t.deps.handleInbound(
      ev(chat, { kind: 'choice', id: `language:choose#${lang === 'bo' ? 'bo' : 'zh'}` }),
    );
    const replies = await t.deps.handleInbound(text(chat, said));
    const all = replies.map((m) => m.text).join('\n');
    expect(all).toContain(t.deps.translator.t(lang, key).split('\n')[0]);
    // Never taken for a policy question the assistant is unsure of, nor for distress.
    expect(all).not.toContain(t.deps.translator.t(lang, 'psych:distress').split('\n')[0]);
    expect(replies.at(-1)?.choices?.length).toBeGreaterThan(0);
  });

  it.each([
    ['zh-CN', '我找到工作了！'],
    ['bo', 'ང་ལ་ལས་ཀ་རྙེད་སོང་།'],
  ] as const)(
    'takes "I found a job" (%s) to the employment record, congratulating first',
    async (lang, said) => {
      const chat = `talk-found-${lang}`;
      await t.deps.handleInbound(
        ev(chat, { kind: 'choice', id: `language:choose#${lang === 'bo' ? 'bo' : 'zh'}` }),
      );
      const replies = await t.deps.handleInbound(text(chat, said));
      // No consent yet: asked for it (the record is kept with the profile), with congratulations.
      expect(replies[0]?.text).toContain(t.deps.translator.t(lang, 'plan:job.consentFirst'));
      expect((await t.deps.sessions.get(`web:${chat}`))?.at).toBe('employment:consent');
    },
  );

  it('answers a button shown in the other language in that language (Tibetan buttons in a Chinese chat)', async () => {
    const chat = 'talk-mixed-buttons';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    const asked = await t.deps.handleInbound(text(chat, 'ལས་མེད་ཐོ་འགོད་ག་པར་བྱེད་དགོས།'));
    const last = asked.at(-1)!;
    expect(last.lang).toBe('bo');
    const choice = last.choices![0]!;
    const pressed = await t.deps.handleInbound(ev(chat, { kind: 'choice', id: choice.id }));
    expect(pressed.every((m) => m.lang === 'bo')).toBe(true);
    // Writing Chinese again answers in Chinese, and its buttons answer in Chinese.
    const back = await t.deps.handleInbound(text(chat, '失业登记在哪里办'));
    expect(back.at(-1)?.lang).toBe('zh-CN');
    const again = await t.deps.handleInbound(
      ev(chat, { kind: 'choice', id: back.at(-1)!.choices![0]!.id }),
    );
    expect(again.every((m) => m.lang === 'zh-CN')).toBe(true);
  });

  it.each([
    ['zh', 'zh-CN'],
    ['bo', 'bo'],
  ] as const)('takes a button text typed out (%s) as the button', async (choose, lang) => {
    const pressed = `label-pressed-${choose}`;
    const typed = `label-typed-${choose}`;
    for (const chat of [pressed, typed])
      await t.deps.handleInbound(ev(chat, { kind: 'choice', id: `language:choose#${choose}` }));
    const viaButton = await t.deps.handleInbound(
      ev(pressed, { kind: 'choice', id: 'main:menu#policy' }),
    );
    const label = t.deps.translator.t(lang, 'main:menu.policy');
    const viaText = await t.deps.handleInbound(text(typed, `${label}。`));
    expect(viaText.map((m) => m.text)).toEqual(viaButton.map((m) => m.text));
    expect((await t.deps.sessions.get(`web:${typed}`))?.at).toBe(
      (await t.deps.sessions.get(`web:${pressed}`))?.at,
    );
  });

  it('serialises quick messages of one conversation: four answers advance four questions', async () => {
    const chat = 'race-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'interview:start#practice' }));
    const answers = await Promise.all(
      ['我叫扎西', '离家近', '照顾老人', '有没有培训'].map((a) =>
        t.deps.handleInbound(text(chat, a)),
      ),
    );
    const said = answers.map((r) => r.map((m) => m.text).join('\n'));
    expect(said[0]).toContain(t.deps.translator.t('zh-CN', 'interview:practice.q2'));
    expect(said[1]).toContain(t.deps.translator.t('zh-CN', 'interview:practice.q3'));
    expect(said[2]).toContain(t.deps.translator.t('zh-CN', 'interview:practice.q4'));
    expect(said[3]).toContain(t.deps.translator.t('zh-CN', 'interview:practice.done'));
  });

  it('coaches a practice answer on what was written, differently when skipped, in both languages', async () => {
    const tr = t.deps.translator;
    const chat = 'coach-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'interview:start#practice' }));
    const short = (await t.deps.handleInbound(text(chat, '我叫扎西')))
      .map((m) => m.text)
      .join('\n');
    expect(short).toContain(tr.t('zh-CN', 'interview:coach.short', { count: 4 }));
    expect(short).toContain(tr.t('zh-CN', 'interview:coach.noExample'));
    expect(short).not.toContain('做得很好');
    const full = (
      await t.deps.handleInbound(
        text(
          chat,
          '这个工作离家近，时间稳定，我以前在超市干过5年，熟悉这类活，能长期稳定地干下去。',
        ),
      )
    )
      .map((m) => m.text)
      .join('\n');
    expect(full).toContain(tr.t('zh-CN', 'interview:coach.example'));
    expect(full).not.toContain(tr.t('zh-CN', 'interview:coach.noExample'));
    // Skipped: no feedback and no thanks for an answer never given.
    const skipped = (
      await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'interview:q3#skip' }))
    )
      .map((m) => m.text)
      .join('\n');
    expect(skipped).toContain(tr.t('zh-CN', 'interview:practice.skipped'));
    expect(skipped).not.toContain(tr.t('zh-CN', 'interview:coach.noExample'));
    expect(skipped).toContain(tr.t('zh-CN', 'interview:practice.q4'));

    const bo = 'coach-2';
    await t.deps.handleInbound(ev(bo, { kind: 'choice', id: 'language:choose#bo' }));
    await t.deps.handleInbound(ev(bo, { kind: 'choice', id: 'interview:start#practice' }));
    const said = (await t.deps.handleInbound(text(bo, 'ངའི་མིང་ལ་བཀྲ་ཤིས་ཟེར།')))
      .map((m) => m.text)
      .join('\n');
    expect(said).toContain(tr.t('bo', 'interview:coach.noExample'));
    expect(said).toContain(tr.t('bo', 'interview:practice.q2'));
  });

  it('answers a policy question typed mid-practice, then asks the practice question again', async () => {
    const tr = t.deps.translator;
    const chat = 'coach-3';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'interview:start#practice' }));
    const replies = await t.deps.handleInbound(text(chat, '对了，失业金怎么领？'));
    expect(replies[0]?.choices?.some((c) => c.id.startsWith('kb#d:'))).toBe(true);
    const last = replies.at(-1)!;
    expect(last.text).toContain(tr.t('zh-CN', 'interview:practice.resume'));
    expect(last.text).toContain(tr.t('zh-CN', 'interview:practice.q1'));
    // The practice goes on where it was: the next text is the answer to question 1.
    const next = (await t.deps.handleInbound(text(chat, '我叫卓玛，今年四十五岁')))
      .map((m) => m.text)
      .join('\n');
    expect(next).toContain(tr.t('zh-CN', 'interview:practice.q2'));
  });

  it('logs both sides with channel and time, and nothing with NUL reaches the database', async () => {
    const chat = 'log-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(text(chat, 'a\u0000b\u200Bc'));
    const session = await t.deps.sessions.get(`web:${chat}`);
    const log = await t.deps.messages.transcript(session!.personId);
    expect(log.map((l) => l.from)).toEqual(['person', 'assistant', 'person', 'assistant']);
    expect(log[0]?.text).toBe('[中文]');
    expect(log[2]?.text).toBe('abc');
    expect(log.every((l) => l.channel === 'web' && l.at instanceof Date)).toBe(true);
  });

  it('survives any text: emoji, control characters, 4,096 characters of Tibetan, nothing at all', async () => {
    const chat = 'fuzz-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#bo' }));
    for (const s of [
      '😀🎉👍🏽',
      '\u0000\u0001\u0002',
      'ཀ'.repeat(4096),
      '',
      '   ',
      '\u202E\u200F',
      '<script>alert(1)</script>',
      '{"$gt":""}',
    ]) {
      const replies = await t.deps.handleInbound(text(chat, s));
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.every((r) => r.text.length > 0)).toBe(true);
    }
  });

  it('reads 300 KB of text up to the channel cap, cut between Tibetan stacks, in time linear in the cap', async () => {
    const chat = 'huge-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    // Without the cap and bounded segmentation, 32k characters of Chinese alone took 1.8 GB.
    for (const s of ['失业金怎么领'.repeat(50_000), 'སྒྲུབ་'.repeat(50_000)]) {
      const replies = await t.deps.handleInbound(text(chat, s));
      expect(replies.length).toBeGreaterThan(0);
    }
    const telegram = await t.deps.handleInbound({
      ...text('huge-2', '社保'.repeat(150_000)),
      channel: 'telegram',
    });
    expect(telegram.length).toBeGreaterThan(0);
    const session = await t.deps.sessions.get(`web:${chat}`);
    const said = (await t.deps.messages.transcript(session!.personId))
      .filter((l) => l.from === 'person')
      .map((l) => l.text);
    expect(said[1]!.length).toBeLessThanOrEqual(TEXT_CAP.web);
    expect(said[2]!.length).toBeLessThanOrEqual(TEXT_CAP.web);
    expect(said[2]).toMatch(/[\u0F0B]$|སྒྲུབ$/u); // never cut inside སྒྲུབ
  });

  it('caps a command’s words as it caps text (/complaint with 12,000 characters was kept whole)', async () => {
    const chat = 'long-complaint';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(
      ev(chat, { kind: 'command', name: 'complaint', args: '工资拖欠'.repeat(3_000) }),
    );
    const session = await t.deps.sessions.get(`web:${chat}`);
    const said = (await t.deps.messages.transcript(session!.personId)).filter(
      (l) => l.from === 'person',
    );
    expect(said.at(-1)!.text.length).toBeLessThanOrEqual(TEXT_CAP.web + '/complaint '.length);
  });

  it('still finds distress written past the cap, at the end of a long story, in both languages', async () => {
    // Read only up to 2,000 characters, "不想活了" at character 2,100 went unseen: a job pick-list.
    const cases = [
      [
        'zh',
        '我今年四十五岁，以前在工厂上班，后来厂子关门了，找了很久工作都没找到。'.repeat(60),
        '我真的不想活了',
      ],
      ['bo', 'ང་ལོ་ང་གཅིག་ཡིན། བཟོ་གྲྭ་སྒོ་བརྒྱབ་ནས་ལས་ཀ་མེད། '.repeat(50), 'ང་ད་ནས་མུ་མཐུད་འཚོ་མི་ཐུབ།'],
    ] as const;
    for (const [lang, story, end] of cases) {
      const chat = `long-distress-${lang}`;
      await t.deps.handleInbound(ev(chat, { kind: 'choice', id: `language:choose#${lang}` }));
      expect(story.length).toBeGreaterThan(TEXT_CAP.web);
      const replies = await t.deps.handleInbound(text(chat, `${story}${end}`));
      expect(replies.map((r) => r.text).join('\n'), lang).toContain('12356');
    }
  });

  it('reads a text too long in part, its beginning and its end (where the question is), and says so', async () => {
    const chat = 'long-question';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    const story =
      '我家里有三个孩子，老大今年上初中，老二上小学，老三还小，家里就我一个人挣钱。'.repeat(70);
    const replies = await t.deps.handleInbound(
      text(chat, `${story}请问工地老板拖欠的工资去哪里要？`),
    );
    const said = replies.map((r) => r.text).join('\n');
    expect(said).toContain(t.deps.translator.t('zh-CN', 'common:tooLong'));
    expect(said).toMatch(/劳动|工资/u);
    expect(said).not.toContain('帮不上忙');
    // The buttons stay last (a typed number still picks one).
    expect(replies.at(-1)?.choices?.length).toBeGreaterThan(0);
    // Distress in the left-out middle is still met with care.
    const middle = `${story}我真的不想活了。${story}工资去哪里要？`;
    const care = await t.deps.handleInbound(text('long-middle', middle));
    expect(care.map((r) => r.text).join('\n')).toContain('12356');
  });

  it('answers a short follow-up about the card just shown (it was declined as not an employment question)', async () => {
    const chat = 'follow-up-zh';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    const first = await t.deps.handleInbound(text(chat, '失业金一个月能拿多少钱'));
    expect(first.at(-1)?.choices?.some((c) => c.id.startsWith('kb#w:'))).toBe(true);
    const bring = (await t.deps.handleInbound(text(chat, '需要带什么材料?'))).map((r) => r.text);
    const where = (
      await t.deps.handleInbound(
        ev(chat, {
          kind: 'choice',
          id: first.at(-1)!.choices!.find((c) => c.id.startsWith('kb#w:'))!.id,
        }),
      )
    ).map((r) => r.text);
    expect(bring).toEqual(where);
    const bo = 'follow-up-bo';
    await t.deps.handleInbound(ev(bo, { kind: 'choice', id: 'language:choose#bo' }));
    await t.deps.handleInbound(text(bo, 'ལས་མེད་ཉེན་འགོག་དངུལ་ཟླ་རེར་ག་ཚོད་ཐོབ་ཀྱི་རེད།'));
    const long = (await t.deps.handleInbound(text(bo, 'ག་ཚོད་རིང་ལེན་ཐུབ།')))
      .map((r) => r.text)
      .join('\n');
    const duration = t.deps.knowledge.current().cards.find((c) => c.id === 'ui-duration');
    expect(long).toContain(duration!.short.bo);
  });

  it('a short question naming another service is no follow-up: no figures of the card before it', async () => {
    // A reviewer's: "退休金一个月能拿多少" after the graduates' subsidy got that card's figures.
    const chat = 'follow-up-other';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    await t.deps.handleInbound(text(chat, '失业金一个月能拿多少钱'));
    const pension = (await t.deps.handleInbound(text(chat, '退休金一个月能拿多少')))
      .map((r) => r.text)
      .join('\n');
    expect(pension).toContain('帮不上忙');
    const bo = 'follow-up-other-bo';
    await t.deps.handleInbound(ev(bo, { kind: 'choice', id: 'language:choose#bo' }));
    await t.deps.handleInbound(text(bo, 'ལས་མེད་ཉེན་འགོག་དངུལ་ཟླ་རེར་ག་ཚོད་ཐོབ་ཀྱི་རེད།'));
    const old = (await t.deps.handleInbound(text(bo, 'ལོ་ན་རྒན་པའི་གསོལ་ཕོགས་ག་ཚོད་ཐོབ')))
      .map((r) => r.text)
      .join('\n');
    const cards = t.deps.knowledge.current().cards;
    for (const c of cards.filter((c) => c.topic === 'unemployment-insurance'))
      expect(old).not.toContain(c.short.bo);
    // A document to bring is still the card's (a reviewer: the ID card is an off-topic word).
    const bring = 'follow-up-bring-bo';
    await t.deps.handleInbound(ev(bring, { kind: 'choice', id: 'language:choose#bo' }));
    const first = await t.deps.handleInbound(text(bring, 'ལས་མེད་ཉེན་འགོག་དངུལ་ཟླ་རེར་ག་ཚོད་ཐོབ་ཀྱི་རེད།'));
    const where = first.at(-1)!.choices!.find((c) => c.id.startsWith('kb#w:'))!.id;
    const id = (await t.deps.handleInbound(text(bring, 'ངོ་སྤྲོད་ལག་ཁྱེར་ཁྱེར་དགོས་སམ')))
      .map((r) => r.text)
      .join('\n');
    const shown = (await t.deps.handleInbound(ev(bring, { kind: 'choice', id: where })))
      .map((r) => r.text)
      .join('\n');
    expect(id).toBe(shown);
  });

  it('keywords in both languages work anywhere; outreach opt-out is stored', async () => {
    const chat = 'kw-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    const stop = await t.deps.handleInbound(text(chat, '退订'));
    expect(stop[0]?.text).toBe(t.deps.translator.t('zh-CN', 'main:outreach.stopped'));
    const session = await t.deps.sessions.get(`web:${chat}`);
    expect((await t.deps.people.findById(session!.personId))?.outreachOptOut).toBe(true);
    const menu = await t.deps.handleInbound(text(chat, 'དཀར་ཆག'));
    expect(menu[0]?.text).toMatch(TIBETAN);
    expect(menu[0]?.choices).toHaveLength(10);
    const lang = await t.deps.handleInbound(text(chat, '语言'));
    expect(lang[0]?.choices?.map((c) => c.label)).toEqual(['中文', 'བོད་ཡིག']);
    const hotline = await t.deps.handleInbound(text(chat, '人工'));
    expect(hotline[0]?.text).toContain('12333');
    expect(hotline[0]?.text).toMatch(HAN);
  });

  it('deletes log entries older than the retention period', async () => {
    const chat = 'ret-1';
    await t.deps.handleInbound(ev(chat, { kind: 'choice', id: 'language:choose#zh' }));
    const session = await t.deps.sessions.get(`web:${chat}`);
    const old = new Date(Date.now() - 200 * 24 * 3600 * 1000);
    await t.deps.messages.append(session!.personId, 'web', [
      { from: 'person', text: 'old', at: old },
    ]);
    const res = await runMessageRetention({
      messages: t.deps.messages,
      questions: t.deps.questions,
      retentionMessagesDays: 180,
    });
    expect(res.deleted).toBeGreaterThanOrEqual(1);
    const left = await t.deps.messages.transcript(session!.personId);
    expect(left.some((l) => l.text === 'old')).toBe(false);
    expect(left.length).toBeGreaterThan(0);
  });
});

describe('commands before a language is chosen', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: false });
  });
  afterAll(() => t.close());
  const cmd = (chat: string, name: string, hint?: string) =>
    t.deps.handleInbound({
      ...ev(chat, { kind: 'command', name, args: '' }),
      ...(hint ? { languageHint: hint } : {}),
    });

  it('are answered in the language the channel hints, and the language stays unchosen', async () => {
    // A human, before anything else: the case opens in the hinted language.
    const [reply] = await cmd('pre-1', 'human', 'zh-hans');
    expect(reply?.text).toContain('就业指导员');
    expect(reply?.text).toMatch(HAN);
    expect(reply?.text).not.toMatch(TIBETAN);
    expect((await t.deps.sessions.get('web:pre-1'))?.lang).toBeNull();
    const [help] = await cmd('pre-3', 'help', 'bo');
    expect(help?.text).toMatch(TIBETAN);
    expect(help?.text).not.toMatch(HAN);
    // /start ends the case from the person's side and greets with the language choice.
    const greeting = (await cmd('pre-1', 'start')).at(-1);
    expect(greeting?.choices?.map((c) => c.label)).toEqual(['中文', 'བོད་ཡིག']);
  });

  it('greet someone new who says "hello" with the language question, not "welcome back"', async () => {
    for (const hello of ['hello', 'hi']) {
      const chat = `pre-hello-${hello}`;
      const replies = await t.deps.handleInbound(text(chat, hello));
      const all = replies.map((r) => r.text).join('\n');
      expect(all).not.toContain('欢迎回来');
      expect(replies.at(-1)?.choices?.map((c) => c.label)).toEqual(['中文', 'བོད་ཡིག']);
    }
  });

  it('are answered in both languages without a hint', async () => {
    const [reply] = await cmd('pre-2', 'help');
    expect(reply?.text).toMatch(HAN);
    expect(reply?.text).toMatch(TIBETAN);
  });
});
