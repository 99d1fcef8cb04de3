import { parseArgs } from 'node:util';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { AccountRepo } from './account.repo.js';
import { languagesSchema, passwordSchema, roleSchema, usernameSchema } from './account.schema.js';
import { hashPassword } from './password.js';

export const USER_ADD_USAGE =
  'usage: npm run user:add -- --username <name> --role <admin|supervisor|counsellor> [--password <pw>] [--token] [--display-name <name>] [--languages zh-CN,bo] [--update]';

export interface UserAddIo {
  /** Connects to the database only once the arguments are known to be good. */
  connect(): Promise<{ accounts: AccountRepo; audit: AuditRepo; close(): Promise<void> }>;
  /** A password from stdin (a pipe) or typed without echo (a terminal); null when none given. */
  readPassword(prompt: string): Promise<string | null>;
  out(line: string): void;
  err(line: string): void;
  now?: () => Date;
}

/**
 * `npm run user:add`: creates an account (or with `--update` changes one's role, password,
 * languages or name), optionally with an API token printed once. Returns the exit code:
 * 0 done, 64 bad usage (bad arguments, a password under 10 characters), 1 failure.
 */
export async function userAdd(argv: string[], io: UserAddIo): Promise<number> {
  const usage = (problem: string) => {
    io.err(`user:add: ${problem} (${USER_ADD_USAGE})`);
    return 64;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        password: { type: 'string' },
        token: { type: 'boolean', default: false },
        update: { type: 'boolean', default: false },
        'display-name': { type: 'string' },
        languages: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    io.out(USER_ADD_USAGE);
    return 0;
  }
  const username = usernameSchema.safeParse(values.username ?? '');
  if (!username.success) return usage(`--username: ${firstIssue(username.error)}`);
  const role = values.role === undefined ? undefined : roleSchema.safeParse(values.role);
  if (role && !role.success) return usage('--role: one of admin, supervisor, counsellor');
  if (!role && !values.update) return usage('--role is required for a new account');
  const languages =
    values.languages === undefined
      ? undefined
      : languagesSchema.safeParse(values.languages.split(',').map((l) => l.trim()));
  if (languages && !languages.success) return usage('--languages: zh-CN, bo or zh-CN,bo');

  let password = values.password ?? null;
  if (password === null)
    password = await io.readPassword(
      values.update ? 'New password (empty: unchanged): ' : 'Password (10+ characters): ',
    );
  if (password === '' && values.update) password = null;
  if (password === null && !values.update)
    return usage('a password is required (--password or stdin)');
  if (password !== null) {
    const checked = passwordSchema.safeParse(password);
    if (!checked.success) return usage(`password: ${firstIssue(checked.error)}`);
  }

  const now = io.now ?? (() => new Date());
  let db;
  try {
    db = await io.connect();
  } catch (err) {
    io.err(`user:add failed: cannot reach the database (${message(err)})`);
    return 1;
  }
  try {
    const fields = {
      ...(role?.success ? { role: role.data } : {}),
      ...(languages?.success ? { languages: languages.data } : {}),
      ...(values['display-name'] ? { displayName: values['display-name'].trim() } : {}),
      ...(password !== null ? { passwordHash: await hashPassword(password) } : {}),
    };
    const existing = await db.accounts.byUsername(username.data);
    let account;
    if (values.update) {
      if (!existing) {
        io.err(`user:add: no account ${username.data} to update (leave out --update to create it)`);
        return 1;
      }
      account = await db.accounts.update(existing.id, fields);
      if (!account) throw new Error('the account went away');
      const changed = Object.keys(fields).map((k) => (k === 'passwordHash' ? 'password' : k));
      await db.audit.record({
        at: now(),
        actor: 'cli',
        action: 'account.update',
        target: `account:${account.username}`,
        details: { fields: changed, ...(role?.success ? { role: role.data } : {}) },
      });
      io.out(
        `updated account ${account.username} (${account.role})${changed.length ? `: ${changed.join(', ')}` : ''}`,
      );
    } else {
      if (existing) {
        io.err(`user:add: account ${username.data} exists (add --update to change it)`);
        return 1;
      }
      const created = await db.accounts.create(
        { username: username.data, role: role?.success ? role.data : 'counsellor', ...fields },
        now(),
      );
      if (created === 'duplicate') {
        io.err(`user:add: account ${username.data} exists (add --update to change it)`);
        return 1;
      }
      account = created;
      await db.audit.record({
        at: now(),
        actor: 'cli',
        action: 'account.create',
        target: `account:${account.username}`,
        details: { role: account.role, password: password !== null },
      });
      io.out(`created account ${account.username} (${account.role})`);
    }
    if (values.token) {
      const token = await db.accounts.addToken(account.id, 'user:add', now());
      if (!token) throw new Error('the account went away');
      await db.audit.record({
        at: now(),
        actor: 'cli',
        action: 'token.create',
        target: `account:${account.username}`,
        details: { tokenId: token.id, name: 'user:add' },
      });
      io.out(`API token (shown once, keep it safe): ${token.token}`);
    }
    return 0;
  } catch (err) {
    io.err(`user:add failed: ${message(err)}`);
    return 1;
  } finally {
    await db.close();
  }
}

function firstIssue(error: { issues: { message: string }[] }): string {
  return error.issues[0]?.message ?? 'invalid';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
