/**
 * npm run data:rotate
 *
 * Seals every sensitive profile value again with DATA_KEY's first key. To rotate: put the new
 * key first and keep the old one after it (`DATA_KEY="<new> <old>"`), restart the service, run
 * this, and once it reports 0 unreadable, drop the old key. Exit codes: 0 done, 1 values left
 * unreadable, 78 bad configuration.
 */
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../src/config.js';
import { rotateSealed } from '../src/journey/rotate.js';
import { createSealer } from '../src/lib/sealed.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(78);
}
if (!config.DATA_KEY) {
  process.stderr.write('data:rotate: DATA_KEY is not set (nothing is sealed without it)\n');
  process.exit(78);
}
const conn = await mongoose
  .createConnection(config.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 })
  .asPromise();
try {
  const sealer = createSealer(config.DATA_KEY);
  const report = await rotateSealed(conn, sealer);
  process.stdout.write(
    `data:rotate: key ${sealer.keyId}: ${report.resealed} sealed again, ${report.current} already current, ${report.unreadable} unreadable\n`,
  );
  process.exitCode = report.unreadable > 0 ? 1 : 0;
} finally {
  await conn.close();
}
