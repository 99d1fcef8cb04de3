/**
 * `npm run user:add` as an operator runs it, against this test's own database: the account it
 * makes logs in on the running app, its token works once printed, and bad usage is exit 64.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/accounts/password.js';
import { startTestApp, testMongoUri, type TestApp } from './support/app.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

describe('npm run user:add', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { listen: false });
  });
  afterAll(() => t.close());

  /** Runs the command with the password (if any) on stdin, as `echo pw | npm run user:add …`. */
  const userAdd = (args: string[], stdin = '') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '-s', 'user:add', '--', ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          MONGODB_URI: testMongoUri(t.dbName),
          LOG_LEVEL: 'silent',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
  const login = (username: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/login',
      payload: { username, password },
    });

  it('refuses bad usage with exit code 64 and one clear line, creating nothing', async () => {
    for (const [args, stdin, says] of [
      [[], '', /--username/],
      [['--username', 'pema'], 'a long enough password\n', /--role is required/],
      [['--username', 'pema', '--role', 'boss'], 'a long enough password\n', /--role/],
      [['--username', 'pema', '--role', 'admin'], 'short\n', /at least 10 characters/],
      [['--username', 'pema', '--role', 'admin'], '', /a password is required/],
      [
        ['--username', 'pema', '--role', 'admin', '--colour', 'red'],
        'a long enough password\n',
        /colour/,
      ],
    ] as const) {
      const r = await userAdd([...args], stdin);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(64);
      expect(r.stderr).toMatch(says);
      expect(r.stdout).toBe('');
    }
    expect(await t.deps.accounts.list()).toEqual([]);
  }, 60_000);

  it('creates an account that logs in, prints its token once, and --update changes it', async () => {
    const made = await userAdd(
      ['--username', 'Pema', '--role', 'supervisor', '--languages', 'bo', '--token'],
      'first password 1\n',
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^created account pema \(supervisor\)$/m);
    const token = /(lmt_[A-Za-z0-9_-]{43})/.exec(made.stdout)?.[1];
    expect(token).toBeDefined();
    expect(made.stdout + made.stderr).not.toContain('first password 1');

    const who = await t.app.inject({
      url: '/api/admin/whoami',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(who.json()).toMatchObject({ username: 'pema', role: 'supervisor' });
    expect((await login('pema', 'first password 1')).statusCode).toBe(303);
    expect((await t.deps.accounts.byUsername('pema'))?.languages).toEqual(['bo']);

    const again = await userAdd(['--username', 'pema', '--role', 'admin'], 'first password 1\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists.*--update/);

    const updated = await userAdd([
      '--username',
      'pema',
      '--role',
      'admin',
      '--update',
      '--password',
      'second password 2',
    ]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/updated account pema \(admin\): role, password/);
    const creds = await t.deps.accounts.credentials('pema');
    expect(await verifyPassword('second password 2', creds!.passwordHash!)).toBe(true);
    expect((await login('pema', 'first password 1')).statusCode).toBe(401);

    // --update with no password on stdin keeps the password.
    const roleOnly = await userAdd(['--username', 'pema', '--role', 'supervisor', '--update']);
    expect(roleOnly.code, roleOnly.stderr).toBe(0);
    expect((await login('pema', 'second password 2')).statusCode).toBe(303);

    const missing = await userAdd(['--username', 'nobody', '--role', 'admin', '--update']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no account nobody/);

    const trail = await t.deps.audit.forTarget('account:pema');
    expect(trail.map((a) => [a.action, a.actor]).reverse()).toEqual(
      expect.arrayContaining([
        ['account.create', 'cli'],
        ['token.create', 'cli'],
        ['account.update', 'cli'],
      ]),
    );
  }, 60_000);
});
