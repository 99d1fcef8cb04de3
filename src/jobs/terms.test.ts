import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  districtOf,
  keywordHits,
  keywordsOf,
  MAX_KEYWORDS,
  parseKeywords,
  postingTerms,
  termsOf,
  VARIANTS,
  workKeywordsOf,
} from './terms.js';

const groupsOf = (terms: readonly string[]) => terms.filter((t) => t.startsWith('g:')).sort();
const title = (zh: string, bo?: string) => ({ title: { 'zh-CN': zh, bo } });
/** Whether a subscription with these keywords matches this posting. */
const matches = (keywords: string[], posting: Parameters<typeof postingTerms>[0]) =>
  keywordHits(keywords, postingTerms(posting)).length > 0;

describe('keywordsOf', () => {
  it('splits on spaces, commas, 、, semicolons, slashes and Tibetan shads', () => {
    expect(keywordsOf('保安 门卫,保洁，厨师、司机；导游/收银')).toEqual([
      '保安',
      '门卫',
      '保洁',
      '厨师',
      '司机',
      '导游',
      '收银',
    ]);
    expect(keywordsOf('སྲུང་སྐྱོབ་པ། གཙང་སྦྲ་བ་ ཁ་ལོ་བ')).toEqual(['སྲུང་སྐྱོབ་པ', 'གཙང་སྦྲ་བ', 'ཁ་ལོ་བ']);
  });

  it('keeps the syllables of a Tibetan word together; two tshegs in a row separate', () => {
    expect(keywordsOf('ཐབ་ཚང་གི་ལས་རོགས')).toEqual(['ཐབ་ཚང་གི་ལས་རོགས']);
    expect(keywordsOf('ཁ་ལོ་བ་་གཙང་སྦྲ་བ')).toEqual(['ཁ་ལོ་བ', 'གཙང་སྦྲ་བ']);
  });

  it('trims quotes and brackets, drops empties and repeats (after folding)', () => {
    expect(keywordsOf('  “保安”  ,, 、 (保安) ＩＴ it IT  ')).toEqual(['保安', 'ＩＴ']);
  });

  it('puts Tibetan into NFC, so two keyboards give one keyword', () => {
    const composed = 'ཀཱི'.normalize('NFC');
    expect(keywordsOf(`${composed.normalize('NFD')} ${composed}`)).toEqual([composed]);
  });

  it('keeps at most 10 keywords of at most 20 characters, and says what it left out', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `词${i}`).join(' ');
    expect(parseKeywords(eleven)).toMatchObject({ tooMany: 1, tooLong: 0 });
    expect(parseKeywords(eleven).keywords).toHaveLength(MAX_KEYWORDS);
    const twenty = '保'.repeat(20);
    expect(parseKeywords(`${twenty} ${twenty}安 司机`)).toEqual({
      keywords: [twenty, '司机'],
      tooLong: 1,
      tooMany: 0,
    });
  });

  it('survives hostile keywords', () => {
    const huge = '保'.repeat(10_000);
    expect(parseKeywords(`${huge} 保安`)).toEqual({ keywords: ['保安'], tooLong: 1, tooMany: 0 });
    expect(keywordsOf('保\u0000安\u0007 门\u202E卫\u200B')).toEqual(['保安', '门卫']);
    expect(keywordsOf('__proto__ constructor')).toEqual(['proto', 'constructor']);
    expect(keywordsOf('.*+?(保安)[ ^$ a|b')).toEqual(['+?(保安', 'a', 'b']);
    expect(keywordsOf('🚓 🧹🧹 保安🚓')).toEqual(['保安🚓']);
    expect(keywordsOf('x\uD800y')).toEqual(['xy']);
    const started = performance.now();
    parseKeywords(`${'a'.repeat(1_000_000)} ${'、'.repeat(100_000)}`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('termsOf', () => {
  it('maps the everyday names of one kind of work to one term', () => {
    for (const k of ['保安', '门卫', '安保员', '保安员', '安保'])
      expect(termsOf([k])).toEqual(['g:security']);
    expect(termsOf(['司机'])).toEqual(['g:driver']);
    expect(termsOf(['清洁工'])).toEqual(['g:cleaning']);
  });

  it('reads the words around the work away (保安工作, 我要找保安, 保安人员)', () => {
    for (const k of ['保安工作', '我要找保安', '保安人员', '保安岗位', '保安的工作'])
      expect(termsOf([k])).toEqual(['g:security']);
    expect(termsOf(['保安保洁'])).toEqual(['g:cleaning', 'g:security']);
    expect(termsOf(['夜班保安工作'])).toEqual(['w:夜班保安']);
  });

  it('keeps a narrower name narrow, and any other word as itself', () => {
    expect(termsOf(['货车司机'])).toEqual(['w:货车司机']);
    expect(termsOf(['藏餐'])).toEqual(['w:藏餐']);
    expect(termsOf(['Excel'])).toEqual(['w:excel']);
  });

  it('maps Tibetan keywords through the glossary', () => {
    expect(termsOf(['སྲུང་སྐྱོབ་པ'])).toEqual(['g:security']);
    expect(termsOf(['སྲུང་སྐྱོབ་པའི་ལས་ཀ'])).toEqual(['g:security']);
    expect(termsOf(['གཙང་སྦྲ་བ'])).toEqual(['g:cleaning']);
    expect(termsOf(['ཐབ་ཚང་གི་ལས་རོགས'])).toEqual(['g:kitchen']);
    expect(termsOf(['གློག་བཟོ'])).toEqual(['g:electrician']);
    expect(termsOf(['ཁ་ལོ་བ'])).toEqual(['g:driver']);
    // a loanword spelling (公益岗 in Tibetan letters)
    expect(termsOf(['ཀུང་ཡི་ཀང'])).toEqual(['g:public-welfare']);
    // a glossary term that is no kind of work: its Chinese original, and itself
    expect(termsOf(['སྦྱོང་བརྡར'])).toContain('w:培训');
  });

  it('gives nothing for words that name no work', () => {
    expect(termsOf(['工作', '岗位', 'ལས་ཀ', 'ལས་གནས', 'ཀང་ཝེ', '🚓'])).toEqual([]);
  });

  it('never trips over hostile keywords', () => {
    expect(termsOf(['__proto__'])).toEqual(['w:proto']);
    expect(termsOf(['constructor', 'hasOwnProperty'])).toEqual([
      'w:constructor',
      'w:hasownproperty',
    ]);
    expect(termsOf(['.*+?(保安)'])).toEqual(['g:security']);
    expect(termsOf(['保安🚓'])).toEqual(['g:security']);
  });
});

describe('postingTerms', () => {
  it('finds every kind of work in a title, compounds included', () => {
    expect(groupsOf(postingTerms(title('安保员')))).toEqual(['g:security']);
    expect(groupsOf(postingTerms(title('门卫（夜班）')))).toEqual(['g:security']);
    expect(groupsOf(postingTerms(title('小区保安（夜班）')))).toEqual(['g:security']);
    expect(groupsOf(postingTerms(title('物业保安、保洁员若干')))).toEqual([
      'g:cleaning',
      'g:property',
      'g:security',
    ]);
  });

  it('takes the longest name (叉车司机 is warehouse work, 货车司机 is driving)', () => {
    expect(groupsOf(postingTerms(title('叉车司机')))).toEqual(['g:warehouse']);
    expect(groupsOf(postingTerms(title('货车司机')))).toEqual(['g:driver']);
  });

  it('reads a Tibetan title, and the Chinese originals of glossary terms in it', () => {
    const terms = postingTerms(title('保安', 'ལས་རིགས་ལག་རྩལ་སྦྱོང་བརྡར་གྱི་སྲུང་སྐྱོབ་པ'));
    expect(groupsOf(terms)).toEqual(['g:security']);
    expect(terms).toEqual(expect.arrayContaining(['w:职业技能培训', 'w:培训']));
  });

  it('reads the description only when the title and category name no work', () => {
    const description = '负责小区门卫值守，协助保洁';
    expect(groupsOf(postingTerms({ ...title('急招3名'), description }))).toEqual([
      'g:cleaning',
      'g:security',
    ]);
    expect(groupsOf(postingTerms({ ...title('收银员'), description }))).toEqual(['g:cashier']);
    const bilingual = { 'zh-CN': '详见电话', bo: 'སྲུང་སྐྱོབ་པ་དགོས' };
    expect(groupsOf(postingTerms({ ...title('急招3名'), description: bilingual }))).toEqual([
      'g:security',
    ]);
    expect(
      groupsOf(postingTerms({ ...title('急招3名'), description, category: 'driver' })),
    ).toEqual(['g:driver']);
  });

  it('counts a category that is a group id as that work', () => {
    expect(groupsOf(postingTerms({ ...title('夜间值守'), category: 'security' }))).toEqual([
      'g:security',
    ]);
    expect(groupsOf(postingTerms({ ...title('夜间值守'), category: 'other' }))).toEqual([]);
  });

  it('is linear in the length of the texts', () => {
    const started = performance.now();
    postingTerms({ title: '保'.repeat(100_000), description: '保安门卫'.repeat(100_000) });
    postingTerms({ title: 'ཀ་'.repeat(50_000), description: 'སྲུང་སྐྱོབ་པ་'.repeat(20_000) });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('matching keywords against postings', () => {
  it('保安 matches 安保员 and 门卫 postings, and not 保洁', () => {
    expect(matches(['保安'], title('安保员'))).toBe(true);
    expect(matches(['保安'], title('门卫'))).toBe(true);
    expect(matches(['保安'], title('小区保安（夜班）'))).toBe(true);
    expect(matches(['保安'], title('保洁员'))).toBe(false);
  });

  it('a Tibetan keyword matches a Chinese posting through the glossary', () => {
    expect(matches(['སྲུང་སྐྱོབ་པ'], title('门卫'))).toBe(true);
    expect(matches(['གཙང་སྦྲ་བ'], title('小区保洁员'))).toBe(true);
    expect(matches(['ཚོང་ཁང་ཆེན་མོ'], title('超市收银员'))).toBe(true);
    expect(matches(['སྲུང་སྐྱོབ་པ'], title('厨师'))).toBe(false);
  });

  it('a Chinese keyword matches a Tibetan-only title', () => {
    expect(matches(['保安'], { title: 'སྲུང་སྐྱོབ་པ་དགོས' })).toBe(true);
    expect(matches(['培训'], { title: 'ལས་རིགས་ལག་རྩལ་སྦྱོང་བརྡར' })).toBe(true);
  });

  it('free words match inside titles, narrower names only their own postings', () => {
    expect(matches(['夜班'], title('小区保安（夜班）'))).toBe(true);
    expect(matches(['藏餐'], title('藏餐厅服务员'))).toBe(true);
    expect(matches(['货车司机'], title('出租车司机'))).toBe(false);
    expect(matches(['司机'], title('出租车司机'))).toBe(true);
    expect(keywordHits(['夜班', '保安', '厨师'], postingTerms(title('小区保安（夜班）')))).toEqual([
      '夜班',
      '保安',
    ]);
  });
});

describe('districtOf', () => {
  it('knows the glossary districts by Chinese, short Chinese and Tibetan names', () => {
    expect(districtOf('城关区')).toBe('城关区');
    expect(districtOf('城关')).toBe('城关区');
    expect(districtOf('ཁྲིན་ཀོན་ཆུས་')).toBe('城关区');
    expect(districtOf('当雄县')).toBe('当雄县');
    expect(districtOf('北京')).toBeNull();
    expect(districtOf('__proto__')).toBeNull();
  });
});

describe('knowledge/jobs/variants.json', () => {
  const glossary = JSON.parse(
    readFileSync(new URL('../../locales/glossary.json', import.meta.url), 'utf8'),
  ) as { terms: { zh: string; bo: string }[] };

  it('has at least 25 groups with unique slug ids', () => {
    expect(VARIANTS.groups.length).toBeGreaterThanOrEqual(25);
    const ids = VARIANTS.groups.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts each name in one group only (narrower names may sit in several)', () => {
    const owner = new Map<string, string>();
    const twice: string[] = [];
    for (const g of VARIANTS.groups)
      for (const zh of g.zh) {
        if (owner.has(zh)) twice.push(`${zh}: ${owner.get(zh)} and ${g.id}`);
        owner.set(zh, g.id);
      }
    expect(twice).toEqual([]);
    const narrowerToo = VARIANTS.groups.flatMap((g) => g.narrower.filter((n) => owner.has(n)));
    expect(narrowerToo).toEqual([]);
  });

  it('names no kind of work as a stop-word', () => {
    const stop = new Set(VARIANTS.stop['zh-CN']);
    expect(
      VARIANTS.groups.flatMap((g) => [...g.zh, ...g.narrower]).filter((z) => stop.has(z)),
    ).toEqual([]);
  });

  it('takes every Tibetan form of its own from a longer glossary term', () => {
    const byZh = new Map(glossary.terms.map((t) => [t.zh, t.bo.normalize('NFC')]));
    const wrong = VARIANTS.groups
      .flatMap((g) => g.bo)
      .filter((b) => !byZh.get(b.from)?.includes(b.form.normalize('NFC')));
    expect(wrong).toEqual([]);
  });

  it('gives Tibetan names to the kinds of work the glossary has', () => {
    for (const [bo, group] of [
      ['སྲུང་སྐྱོབ་པ', 'g:security'],
      ['གཙང་སྦྲ་བ', 'g:cleaning'],
      ['ཚ་སྦྱོར', 'g:welder'],
      ['ཨར་ལས', 'g:construction'],
      ['ཁྱིམ་ལས་ཞབས་ཞུ', 'g:domestic'],
      ['རྒན་གསོ་དང་བདག་སྐྱོང', 'g:care-worker'],
      ['མཛོད་ཁང་དོ་དམ་པ', 'g:warehouse'],
      ['ཚོང་ཟོག་སྒྲིག་མཁན', 'g:stocker'],
      ['དྲ་ཐོག་ཚོང་ལས', 'g:ecommerce'],
      ['མི་རིགས་ལག་ཤེས་བཟོ་རིག', 'g:handicraft'],
      ['སྤྱི་ཕན་ལས་གནས', 'g:public-welfare'],
      ['གླ་ལས་ཐོར་བུ', 'g:odd-jobs'],
      ['ལག་ལེན་སྦྱོང་བ', 'g:internship'],
      ['ཟས་བཟོ', 'g:kitchen'],
    ] as const)
      expect(termsOf([bo]), bo).toEqual([group]);
  });
});

describe("workKeywordsOf: the work a sentence names (the intake's wanted work)", () => {
  it.each([
    ['想找个保安或者门卫 司机也行', ['保安', '门卫', '司机']],
    ['སྲུང་སྐྱོབ་པའམ་ཁ་ལོ་བ་གང་རུང་ཡག་གི', ['སྲུང་སྐྱོབ་པ', 'ཁ་ལོ་བ']],
    ['电焊工', ['电焊工']],
    // Work we have no name for stays as typed.
    ['能在家做的手工', ['能在家做的手工']],
  ] as const)('%s → %j', (text, keywords) => {
    expect(workKeywordsOf(text)).toEqual(keywords);
  });
});
