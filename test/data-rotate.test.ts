/**
 * Key rotation for sealed sensitive fields: `npm run data:rotate` (the script itself, as an
 * operator runs it) re-seals every value under DATA_KEY's first key; values already current stay,
 * values no key opens are reported and left; afterwards the old key can go. Real FerretDB.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealContext } from '../src/journey/profile.service.js';
import { createSealer } from '../src/lib/sealed.js';
import { personModels } from '../src/people/person.model.js';
import { testMongoUri } from './support/app.js';

const run = promisify(execFile);
const OLD = 'rotate-old-key-0123456789abcdef0123456789';
const NEW = 'rotate-new-key-abcdef0123456789abcdef0123';
const uri = testMongoUri(`test_rotate_${randomUUID().slice(0, 8)}`);
let conn: mongoose.Connection;

beforeAll(async () => {
  conn = await mongoose.createConnection(uri).asPromise();
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

async function rotate(dataKey: string) {
  return run('npx', ['tsx', 'scripts/data-rotate.ts'], {
    env: { ...process.env, MONGODB_URI: uri, DATA_KEY: dataKey, LOG_LEVEL: 'silent' },
  }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
}

describe('npm run data:rotate', () => {
  it('re-seals every value under the new key, leaves current ones, and reports unreadable ones', async () => {
    const { Person } = personModels(conn);
    const old = createSealer(OLD);
    const ids: string[] = [];
    const now = new Date();
    for (let i = 0; i < 7; i++) {
      const _id = new mongoose.Types.ObjectId();
      ids.push(_id.toHexString());
      await Person.create({
        _id,
        language: 'bo',
        outreachOptOut: false,
        createdAt: now,
        lastSeenAt: now,
        sensitive: {
          disability: old.seal('certified', sealContext(_id.toHexString(), 'disability')),
          ...(i % 2 === 0
            ? { health: old.seal('limits-work', sealContext(_id.toHexString(), 'health')) }
            : {}),
        },
      });
    }
    const first = await rotate(`${NEW} ${OLD}`);
    expect(first.code).toBe(0);
    expect(first.out).toContain('11 sealed again, 0 already current, 0 unreadable');

    // The old key can go: everything opens with the new one alone.
    const fresh = createSealer(NEW);
    for (const id of ids) {
      const raw = await conn.collection('people').findOne({ _id: new mongoose.Types.ObjectId(id) });
      const sensitive = raw?.sensitive as { disability: string; health?: string };
      expect(fresh.isCurrent(sensitive.disability)).toBe(true);
      expect(fresh.open(sensitive.disability, sealContext(id, 'disability'))).toBe('certified');
      if (sensitive.health)
        expect(fresh.open(sensitive.health, sealContext(id, 'health'))).toBe('limits-work');
    }

    // Again: nothing to do. With a value sealed under a key nobody lists: reported, exit 1, kept.
    const lost = createSealer('a-key-nobody-has-any-more-0123456789abc');
    const stray = lost.seal('none', sealContext(ids[0]!, 'health'));
    await Person.updateOne({ _id: ids[0] }, { $set: { 'sensitive.health': stray } });
    const second = await rotate(NEW);
    expect(second.code).toBe(1);
    expect(second.out).toContain('0 sealed again, 10 already current, 1 unreadable');
    const kept = await conn
      .collection('people')
      .findOne({ _id: new mongoose.Types.ObjectId(ids[0]) });
    expect((kept?.sensitive as { health: string }).health).toBe(stray);
  }, 60_000);

  it('refuses to run without DATA_KEY', async () => {
    const out = await run('npx', ['tsx', 'scripts/data-rotate.ts'], {
      env: { ...process.env, MONGODB_URI: uri, DATA_KEY: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in out ? out.code : 0).toBe(78);
  }, 30_000);
});
