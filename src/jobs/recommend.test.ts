import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { JobDoc } from './job.model.js';
import { basisOf, recommend, RECOMMEND_MAX, type RecommendBasis } from './recommend.js';

/** A JobDoc-like posting: only what the recommender reads is meaningful. */
function posting(title: string, district = '城关区', category: string | null = null): JobDoc {
  const now = new Date('2025-01-01T00:00:00Z');
  return {
    _id: new Types.ObjectId(),
    title: { 'zh-CN': title },
    employer: '测试单位',
    district,
    category,
    description: { 'zh-CN': '' },
    contact: '0891-0000000',
    expiresAt: new Date('2099-01-01T00:00:00Z'),
    status: 'open',
    createdAt: now,
    updatedAt: now,
    createdBy: 'test',
    reach: { alerted: 0, recommended: 0 },
    source: { kind: 'api' },
  };
}

const basis = (b: Partial<RecommendBasis>): RecommendBasis => ({
  keywords: [],
  districts: [],
  types: [],
  ...b,
});
const titles = (recs: ReturnType<typeof recommend>) => recs.map((r) => r.job.title['zh-CN']);

describe('basisOf', () => {
  it('collects subscription keywords, then the keywords of wanted work and skills', () => {
    const b = basisOf({
      wantedWork: '保安 司机',
      skills: '电工',
      subscriptions: [
        { keywords: ['厨师'], district: null },
        { keywords: ['保安'], district: null },
      ],
    });
    expect(b.keywords).toEqual(['厨师', '保安', '司机', '电工']);
    expect(b.districts).toEqual([]);
    expect(b.types).toEqual([]);
  });

  it('reads wanted work written as a sentence for the work it names (a reviewer got nothing)', () => {
    const b = basisOf({ wantedWork: '想找个保安或者门卫 司机也行', subscriptions: [] });
    expect(b.keywords).toEqual(['保安', '门卫', '司机']);
  });

  it('takes the profile district (Chinese or Tibetan) as its Chinese name, and subscription districts', () => {
    expect(
      basisOf({
        district: 'ཁྲིན་ཀོན་ཆུས',
        subscriptions: [{ keywords: ['保安'], district: '达孜区' }],
      }).districts,
    ).toEqual(['城关区', '达孜区']);
    expect(basisOf({ district: '城关', subscriptions: [] }).districts).toEqual(['城关区']);
    expect(basisOf({ district: '城关区', subscriptions: [] }).districts).toEqual(['城关区']);
  });

  it('leaves out an unknown or missing district, and keeps no repeats', () => {
    expect(basisOf({ district: '北京', subscriptions: [] }).districts).toEqual([]);
    expect(basisOf({ district: null, subscriptions: [] }).districts).toEqual([]);
    expect(
      basisOf({
        district: '城关区',
        wantedWork: '保安',
        subscriptions: [{ keywords: ['保安'], district: '城关区' }],
      }),
    ).toEqual({ keywords: ['保安'], districts: ['城关区'], types: [] });
  });

  it('copies the assessment types', () => {
    const types = ['R', 'C'] as const;
    const b = basisOf({ types, subscriptions: [] });
    expect(b.types).toEqual(['R', 'C']);
    expect(b.types).not.toBe(types);
  });
});

describe('recommend', () => {
  it('ranks a keyword hit above a type-only match above nothing', () => {
    const gate = posting('小区门卫', '达孜区');
    const truck = posting('货车司机', '达孜区');
    const cook = posting('酒店厨师', '达孜区');
    const recs = recommend(basis({ keywords: ['保安'], types: ['R'] }), [cook, truck, gate]);
    expect(recs.map((r) => r.job)).toEqual([gate, truck]);
    expect(recs[0]!.reasons).toEqual([{ kind: 'keyword', value: '保安' }]);
    expect(recs[1]!.reasons).toEqual([{ kind: 'type', value: 'R' }]);
    expect(recs[0]!.score).toBeGreaterThan(recs[1]!.score);
  });

  it('matches a variant of the keyword (保安 → 小区门卫)', () => {
    const recs = recommend(basis({ keywords: ['保安'] }), [posting('小区门卫')]);
    expect(titles(recs)).toEqual(['小区门卫']);
    expect(recs[0]!.reasons).toEqual([{ kind: 'keyword', value: '保安' }]);
    // a posting filed under the kind of work, whatever its title says
    const filed = recommend(basis({ keywords: ['保安'] }), [
      posting('急招3名', '城关区', 'security'),
    ]);
    expect(titles(filed)).toEqual(['急招3名']);
  });

  it('gives a type reason only when no keyword hits', () => {
    const recs = recommend(basis({ keywords: ['司机'], types: ['R'] }), [posting('货车司机')]);
    expect(recs[0]!.reasons).toEqual([{ kind: 'keyword', value: '司机' }]);
  });

  it('lists keyword, type and district reasons', () => {
    const b = basis({ keywords: ['保安'], types: ['R'], districts: ['城关区'] });
    const recs = recommend(b, [posting('小区门卫', '城关区'), posting('货车司机', '城关区')]);
    expect(titles(recs)).toEqual(['小区门卫', '货车司机']);
    expect(recs[0]!.reasons).toEqual([
      { kind: 'keyword', value: '保安' },
      { kind: 'district', value: '城关区' },
    ]);
    expect(recs[1]!.reasons).toEqual([
      { kind: 'type', value: 'R' },
      { kind: 'district', value: '城关区' },
    ]);
  });

  it('does not recommend a posting only in their district when they named work', () => {
    const cook = posting('酒店厨师', '城关区');
    expect(recommend(basis({ keywords: ['保安'], districts: ['城关区'] }), [cook])).toEqual([]);
    expect(recommend(basis({ types: ['R'], districts: ['城关区'] }), [cook])).toEqual([]);
  });

  it('recommends postings in their district when only the district is known', () => {
    const here = posting('酒店厨师', '城关区');
    const there = posting('酒店厨师', '达孜区');
    const recs = recommend(basis({ districts: ['城关区'] }), [there, here]);
    expect(recs.map((r) => r.job)).toEqual([here]);
    expect(recs[0]!.reasons).toEqual([{ kind: 'district', value: '城关区' }]);
  });

  it('recommends nothing on an empty basis', () => {
    expect(recommend(basis({}), [posting('小区门卫'), posting('货车司机')])).toEqual([]);
  });

  it('returns at most `max` results (RECOMMEND_MAX by default)', () => {
    const many = Array.from({ length: RECOMMEND_MAX + 3 }, (_, i) => posting(`保安${i + 1}号岗`));
    const b = basis({ keywords: ['保安'] });
    expect(recommend(b, many)).toHaveLength(RECOMMEND_MAX);
    expect(recommend(b, many, 2)).toHaveLength(2);
  });

  it('keeps the input order (newest first) among equal scores', () => {
    const many = Array.from({ length: 4 }, (_, i) => posting(`保安${i + 1}号岗`));
    const b = basis({ keywords: ['保安'], types: ['R'] });
    const truck = posting('货车司机');
    const recs = recommend(b, [truck, ...many]);
    expect(recs.map((r) => r.job)).toEqual([...many, truck]);
    expect(recommend(b, many, 3).map((r) => r.job)).toEqual(many.slice(0, 3));
    const truckA = posting('货车司机');
    const gate = posting('小区门卫');
    const truckB = posting('出租车司机');
    expect(recommend(b, [truckA, gate, truckB]).map((r) => r.job)).toEqual([gate, truckA, truckB]);
  });
});
