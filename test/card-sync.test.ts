import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyCard } from '../src/knowledge/card.schema.js';
import { startTestApp, type TestApp } from './support/app.js';

describe('policy cards shipped in knowledge/cards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: false });
  });
  afterAll(() => t.close());

  it('are added, updated and retired by a deploy, while an administrator’s edit is kept', async () => {
    const all = (await t.deps.cards.list()).map((s) => s.card);
    const [a, b, c] = all as [PolicyCard, PolicyCard, PolicyCard];
    // An administrator edits b.
    await t.deps.cards.save(
      { ...b, short: { ...b.short, 'zh-CN': '管理员改过的答案' } },
      'admin',
      new Date(),
    );
    // The next deploy ships a changed a, the original b, no c, and a new card d.
    const d: PolicyCard = { ...a, id: 'test-new-card' };
    const changedA = { ...a, short: { ...a.short, 'zh-CN': '新版本的答案' } };
    const res = await t.deps.cards.syncFromFiles([changedA, b, d, ...all.slice(3)], new Date());
    expect(res).toEqual({ added: 1, updated: 1, retired: 1 });
    expect((await t.deps.cards.get(a.id))?.card.short['zh-CN']).toBe('新版本的答案');
    expect((await t.deps.cards.get(b.id))?.card.short['zh-CN']).toBe('管理员改过的答案');
    expect((await t.deps.cards.get(c.id))?.retired).toBe(true);
    expect((await t.deps.cards.activeCards()).some((x) => x.id === c.id)).toBe(false);
  });
});
