import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageRepo } from '../src/messages/message.repo.js';
import { createQuestionRepo } from '../src/questions/question.repo.js';
import { freePort } from './support/servers.js';

// The FerretDB binary the test run's own services use (scripts/services.mjs builds it).
const FERRET = join(import.meta.dirname, '..', '.data', 'bin', 'ferretdb');

/** A FerretDB of this test's own: the suite's shared one must not go down under other files. */
async function startFerret(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    FERRET,
    ['-listen-addr', `127.0.0.1:${port}`, '-sqlite-url', `${pathToFileURL(dir).href}/`],
    { cwd: dir, stdio: 'ignore' },
  );
  const probe = mongoose.createConnection(`mongodb://127.0.0.1:${port}/probe`, {
    serverSelectionTimeoutMS: 500,
  });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.asPromise();
      await probe.db?.admin().ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await probe.close();
  return child;
}

/** Issue 8, B10: the database stopped and restarted while people write (a real fault). */
describe.skipIf(!existsSync(FERRET))('the database down, then back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamton-dbdown-'));
  let port = 0;
  let ferret: ChildProcess;
  let conn: mongoose.Connection;

  beforeAll(async () => {
    port = await freePort();
    ferret = await startFerret(port, dir);
    conn = await mongoose
      .createConnection(`mongodb://127.0.0.1:${port}/lamton`, { serverSelectionTimeoutMS: 2_000 })
      .asPromise();
  }, 60_000);
  afterAll(async () => {
    await conn?.close().catch(() => undefined);
    ferret?.kill('SIGKILL');
  });

  it('keeps the conversation log and questions written meanwhile and stores them when it is back', async () => {
    const messages = createMessageRepo(conn);
    const questions = createQuestionRepo(conn);
    const person = new Types.ObjectId().toHexString();
    const at = new Date();
    await messages.append(person, 'web', [{ from: 'person', text: 'before', at }]);
    await messages.flush();

    await new Promise<void>((resolve) => {
      ferret.once('exit', () => resolve());
      ferret.kill('SIGKILL');
    });
    // Written while the database is away: the writes wait (they used to be dropped).
    const during = messages.append(person, 'web', [
      { from: 'person', text: 'during the outage', at: new Date(at.getTime() + 1) },
      { from: 'assistant', text: 'reply during the outage', at: new Date(at.getTime() + 2) },
    ]);
    const asked = questions.record({
      personId: person,
      channel: 'web',
      lang: 'zh-CN',
      text: '停电的时候问的问题',
      outcome: 'declined',
      confidence: 0.9,
      at,
    });
    await new Promise((r) => setTimeout(r, 3_000));

    ferret = await startFerret(port, dir);
    await during;
    await asked.stored;
    const log = await messages.transcript(person);
    expect(log.map((l) => l.text)).toEqual([
      'before',
      'during the outage',
      'reply during the outage',
    ]);
    const list = await questions.listUnanswered({ limit: 10 });
    expect(list.items.map((q) => q.text)).toContain('停电的时候问的问题');
  }, 90_000);
});
