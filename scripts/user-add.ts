/**
 * npm run user:add -- --username <name> --role <admin|supervisor|counsellor> [--password <pw>]
 *   [--token] [--display-name <name>] [--languages zh-CN,bo] [--update]
 *
 * Creates an account of the admin side (or, with --update, changes one). Without --password the
 * password is read from stdin (first line) or typed without echo at a terminal. --token also
 * creates an API token and prints it once. Exit codes: 0 done, 64 bad usage, 1 failure.
 */
import mongoose from 'mongoose';
import { createAccountRepo } from '../src/accounts/account.repo.js';
import { userAdd } from '../src/accounts/user-add.js';
import { createAuditRepo } from '../src/audit/audit.repo.js';
import { ConfigError, loadConfig } from '../src/config.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78);
}
const mongoUri = config.MONGODB_URI;

process.exitCode = await userAdd(process.argv.slice(2), {
  async connect() {
    const conn = await mongoose
      .createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    return {
      accounts: createAccountRepo(conn),
      audit: createAuditRepo(conn),
      close: () => conn.close(),
    };
  },
  readPassword,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});

/** The first line of stdin (a pipe), or typed at a terminal without echo; null when empty. */
async function readPassword(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    const line = text.split(/\r?\n/)[0] ?? '';
    return line === '' ? null : line;
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(typed === '' ? null : typed);
        if (ch === '\u0003') {
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
