import type { AuditRepo } from '../audit/audit.repo.js';
import { ImportFailed, importJobs, parseJobsCsv, type CsvProblem } from './import.js';
import type { JobRepo } from './job.repo.js';
import type { JobListener } from './job.service.js';

export const JOBS_IMPORT_USAGE = 'usage: npm run jobs:import -- <file.csv>';

export interface JobsImportIo {
  readFile(path: string): Promise<Buffer>;
  /** Connects to the database only once the file is known to be good. */
  connect(): Promise<{
    repo: JobRepo;
    audit: AuditRepo;
    onPosted?: JobListener;
    close(): Promise<void>;
  }>;
  /** Writes to stdout as is (the progress bar redraws its line). */
  write(text: string): void;
  err(line: string): void;
  /** stdout is a terminal: a progress bar; otherwise a plain "imported N of M" line per batch. */
  tty: boolean;
  now?: () => Date;
  batchSize?: number;
}

/**
 * `npm run jobs:import file.csv`: checks every row first; any problem → each one on stderr by
 * line and column, nothing imported, exit 1. Otherwise imports all rows as one (all or
 * nothing) with a progress bar, exit 0. Bad usage: 64.
 */
export async function jobsImport(argv: string[], io: JobsImportIo): Promise<number> {
  const files = argv.filter((a) => a !== '--');
  if (files.length !== 1 || files[0]?.startsWith('-')) {
    io.err(`jobs:import: give one CSV file (${JOBS_IMPORT_USAGE})`);
    return 64;
  }
  const file = files[0] ?? '';
  let data: Buffer;
  try {
    data = await io.readFile(file);
  } catch (err) {
    io.err(`jobs:import: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const now = io.now ?? (() => new Date());
  const { rows, problems } = parseJobsCsv(data, now());
  if (problems.length > 0) {
    io.err(`jobs:import: ${file}: ${problems.length} problem(s), nothing imported`);
    for (const p of problems) io.err(`  ${describe(p)}`);
    return 1;
  }

  let db;
  try {
    db = await io.connect();
  } catch (err) {
    io.err(
      `jobs:import: database unreachable: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  }
  const bar = progress(io);
  try {
    await importJobs(rows, {
      repo: db.repo,
      audit: db.audit,
      actor: 'cli',
      file,
      now,
      ...(io.batchSize ? { batchSize: io.batchSize } : {}),
      ...(db.onPosted ? { onPosted: db.onPosted } : {}),
      onProgress: bar,
    });
    bar.end();
    return 0;
  } catch (err) {
    if (io.tty) io.write('\n');
    if (!(err instanceof ImportFailed)) throw err;
    const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
    io.err(`jobs:import: ${err.message} (${cause})`);
    return 1;
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** `line 3, 区县 (district): expected one of …` */
function describe(p: CsvProblem): string {
  const where =
    p.field === ''
      ? ''
      : p.column && p.column !== p.field
        ? `, ${p.column} (${p.field})`
        : `, ${p.field}`;
  return `line ${p.line}${where}: ${p.message}`;
}

const WIDTH = 30;

function progress(io: Pick<JobsImportIo, 'write' | 'tty'>) {
  const line = (done: number, total: number) => `imported ${done} of ${total}`;
  const draw = (done: number, total: number) => {
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * WIDTH);
    const pct = String(Math.round(share * 100)).padStart(3);
    return `\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${pct}% ${line(done, total)}`;
  };
  return Object.assign(
    (done: number, total: number) => {
      if (io.tty) io.write(draw(done, total));
      else if (done > 0) io.write(`${line(done, total)}\n`);
    },
    {
      /** Ends the bar's line (the last batch drew it full). */
      end() {
        if (io.tty) io.write('\n');
      },
    },
  );
}
