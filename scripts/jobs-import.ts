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
import { ConfigError, loadConfig } from '../src/config.js';
import { jobsImport } from '../src/jobs/import-cli.js';
import { createJobRepo } from '../src/jobs/job.repo.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78);
}
const mongoUri = config.MONGODB_URI;

process.exitCode = await jobsImport(process.argv.slice(2), {
  readFile: (path) => readFile(path),
  async connect() {
    const conn = await mongoose
      .createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    return {
      repo: createJobRepo(conn),
      audit: createAuditRepo(conn),
      close: () => conn.close(),
    };
  },
  write: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
  tty: process.stdout.isTTY === true,
});
