/**
 * npm run jobs:import -- <file.csv>
 *
 * Imports job postings from a CSV file (UTF-8, with or without a BOM; a header row naming the
 * columns in English or Chinese: title/岗位名称, employer/用人单位, district/区县, category/类别,
 * description/岗位描述, contact/联系方式, expiresAt/截止日期, and optionally title_bo,
 * description_bo). Every row is checked first; any problem is reported by line and column on
 * stderr and nothing is imported. Exit codes: 0 imported, 1 problems or failure, 64 bad usage.
 */
import { readFile } from 'node:fs/promises';
import mongoose from 'mongoose';
import { createAuditRepo } from '../src/audit/audit.repo.js';
import { ConfigError, loadConfig, REDIS_PREFIX } from '../src/config.js';
import { jobsImport } from '../src/jobs/import-cli.js';
import { createJobRepo } from '../src/jobs/job.repo.js';
import { createMatchQueue } from '../src/jobs/match-queue.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78);
}
const mongoUri = config.MONGODB_URI;
const redisUrl = config.REDIS_URL;

process.exitCode = await jobsImport(process.argv.slice(2), {
  readFile: (path) => readFile(path),
  async connect() {
    const conn = await mongoose
      .createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    // New postings are matched against job-alert subscriptions by the worker role.
    const alerts = createMatchQueue({
      redisUrl,
      prefix: REDIS_PREFIX,
      onError: () => undefined,
      failFast: true,
    });
    let unqueued = 0;
    return {
      repo: createJobRepo(conn),
      audit: createAuditRepo(conn),
      onPosted: (event) =>
        alerts.posted(event).catch(() => {
          unqueued++;
        }),
      async close() {
        await alerts.close();
        await conn.close();
        if (unqueued > 0)
          process.stderr.write(
            `jobs:import: warning: ${unqueued} posting(s) imported but not queued for job alerts (Redis unreachable)\n`,
          );
      },
    };
  },
  write: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
  tty: process.stdout.isTTY === true,
});
