import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { AuditRepo } from '../audit/audit.repo.js';
import type { JobRepo, NewJob } from './job.repo.js';
import { defaultExpiry, issueDetails, jobBody, type JobInput } from './job.schema.js';
import type { JobListener } from './job.service.js';

/** The columns of a jobs CSV file (the header row names them, in English or Chinese). */
export const CSV_FIELDS = [
  'title',
  'title_bo',
  'employer',
  'district',
  'category',
  'description',
  'description_bo',
  'contact',
  'expiresAt',
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];
const REQUIRED: readonly CsvField[] = ['title', 'employer', 'district', 'description', 'contact'];

/** Header names (folded: lower case, no spaces, `_`, `-` or brackets) → column. */
const HEADERS = new Map<string, CsvField>([
  ...CSV_FIELDS.map((f) => [fold(f), f] as const),
  ['expires', 'expiresAt'],
  ['岗位名称', 'title'],
  ['职位名称', 'title'],
  ['岗位', 'title'],
  ['岗位名称藏文', 'title_bo'],
  ['藏文岗位名称', 'title_bo'],
  ['用人单位', 'employer'],
  ['招聘单位', 'employer'],
  ['单位', 'employer'],
  ['区县', 'district'],
  ['所在区县', 'district'],
  ['类别', 'category'],
  ['岗位类别', 'category'],
  ['岗位描述', 'description'],
  ['岗位职责', 'description'],
  ['岗位描述藏文', 'description_bo'],
  ['藏文岗位描述', 'description_bo'],
  ['联系方式', 'contact'],
  ['联系电话', 'contact'],
  ['截止日期', 'expiresAt'],
  ['有效期至', 'expiresAt'],
]);

/** Most rows one file may bring, and most bytes. */
export const MAX_ROWS = 10_000;
export const MAX_BYTES = 20 * 1024 * 1024;

/** What is wrong, where: the file's line (the header is line 1) and the column. */
export interface CsvProblem {
  line: number;
  /** The column (`district`), or '' for the row or the file as a whole. */
  field: CsvField | '';
  /** The column's name as the file's header writes it (`区县`). */
  column: string;
  message: string;
}

export interface CsvRow {
  line: number;
  input: JobInput;
}

/**
 * A jobs CSV file (UTF-8, with or without a BOM; RFC 4180 quoting: commas, line breaks and
 * `""` inside quotes), checked row by row with the API's own rules. Every problem comes back
 * with its line and column; the rows are only usable when there are none.
 */
export function parseJobsCsv(
  data: Buffer | string,
  now: Date,
): { rows: CsvRow[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const whole = (line: number, message: string): CsvProblem => ({
    line,
    field: '',
    column: '',
    message,
  });
  if (data.length > MAX_BYTES)
    return { rows: [], problems: [whole(1, `larger than ${MAX_BYTES} bytes`)] };
  const decoded = typeof data === 'string' ? { text: data } : decode(data);
  if ('line' in decoded) return { rows: [], problems: [whole(decoded.line, 'not UTF-8 text')] };
  // One kind of line end: csv-parse counts a CRLF inside quotes as two lines.
  const text = decoded.text.replace(/\r\n?/g, '\n');

  const records: { line: number; fields: string[] }[] = [];
  let lastEnd = 0;
  try {
    parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        const unclosed = err?.code === 'CSV_QUOTE_NOT_CLOSED';
        problems.push(
          whole(
            lastEnd + 1,
            unclosed ? 'a quoted field is not closed' : (err?.message ?? 'unreadable'),
          ),
        );
        return undefined;
      },
      // Each record with the line it starts on (the line after the one the last record ended on).
      on_record: (fields, info) => {
        records.push({ line: lastEnd + 1, fields });
        lastEnd = info.lines;
        return null;
      },
    });
  } catch (err) {
    problems.push(whole(lastEnd + 1, err instanceof Error ? err.message : 'unreadable'));
  }
  const blank = (fields: string[]) => fields.every((f) => f.trim() === '');
  const [header, ...body] = records.filter((r) => !blank(r.fields));
  if (!header) return { rows: [], problems: [whole(1, 'no header row'), ...problems] };

  const columns = readHeader(header.fields, header.line, problems);
  if (body.length === 0 && problems.length === 0)
    problems.push(whole(header.line + 1, 'no rows to import'));
  if (body.length > MAX_ROWS)
    problems.push(whole(body[MAX_ROWS]?.line ?? 0, `more than ${MAX_ROWS} rows`));

  const schema = jobBody(() => now);
  const rows: CsvRow[] = [];
  for (const record of body.slice(0, MAX_ROWS)) {
    if (record.fields.length !== header.fields.length) {
      problems.push(
        whole(
          record.line,
          `expected ${header.fields.length} fields, found ${record.fields.length}`,
        ),
      );
      continue;
    }
    const value = (f: CsvField) => {
      const i = columns.get(f);
      const v = i === undefined ? undefined : record.fields[i]?.trim();
      return v === '' ? undefined : v;
    };
    const parsed = schema.safeParse({
      title: { 'zh-CN': value('title') ?? '', bo: value('title_bo') },
      employer: value('employer') ?? '',
      district: value('district') ?? '',
      category: value('category'),
      description: { 'zh-CN': value('description') ?? '', bo: value('description_bo') },
      contact: value('contact') ?? '',
      expiresAt: value('expiresAt'),
    });
    if (parsed.success) rows.push({ line: record.line, input: parsed.data });
    else
      for (const d of issueDetails(parsed.error)) {
        const field = fieldOf(d.path);
        const i = field === '' ? undefined : columns.get(field);
        const column = i === undefined ? field : (header.fields[i]?.trim() ?? field);
        problems.push({ line: record.line, field, column, message: d.message });
      }
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems };
}

export interface ImportDeps {
  repo: Pick<JobRepo, 'insertImported' | 'publishImport' | 'removeImport' | 'removeStaleImports'>;
  audit: AuditRepo;
  /** Who imports (`cli` from the command line). */
  actor: string;
  /** The file's name, kept on each posting's `source` (no directories). */
  file: string;
  now?: () => Date;
  /** Rows per insertMany (default 200). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Told of each new posting once all of them are visible (the alerts match them). */
  onPosted?: JobListener;
}

/** The import did not happen; `leftover` when its hidden rows could not be removed either. */
export class ImportFailed extends Error {
  override readonly name = 'ImportFailed';
  constructor(
    readonly importId: string,
    readonly leftover: boolean,
    options: { cause: unknown },
  ) {
    super(
      leftover
        ? `the import failed and its rows (hidden, import ${importId}) could not be removed yet: they are removed by the next import`
        : 'the import failed: nothing was imported',
      options,
    );
  }
}

/**
 * Writes checked rows as one import: in batches, hidden (`importing`) under a new import id,
 * then made visible together, then audited (`job.import`, target `import:<id>`). When the
 * database fails midway, the rows written so far are removed again: all or nothing. A process
 * that died midway left only hidden rows, which the next import removes.
 */
export async function importJobs(
  rows: CsvRow[],
  deps: ImportDeps,
): Promise<{ importId: string; ids: string[] }> {
  const now = deps.now ?? (() => new Date());
  const size = deps.batchSize ?? 200;
  const importId = randomUUID();
  const at = now();
  const file = basename(deps.file);
  const jobs: NewJob[] = rows.map(({ line, input }) => ({
    ...input,
    category: input.category ?? null,
    expiresAt: input.expiresAt ?? defaultExpiry(at),
    createdAt: at,
    createdBy: deps.actor,
    source: { kind: 'csv', file, line },
  }));
  await deps.repo.removeStaleImports(new Date(at.getTime() - STALE_MS));
  const ids: string[] = [];
  try {
    deps.onProgress?.(0, jobs.length);
    for (let i = 0; i < jobs.length; i += size) {
      ids.push(...(await deps.repo.insertImported(jobs.slice(i, i + size), importId)));
      deps.onProgress?.(ids.length, jobs.length);
    }
    await deps.repo.publishImport(importId, at);
    await deps.audit.record({
      at: now(),
      actor: deps.actor,
      action: 'job.import',
      target: `import:${importId}`,
      details: { file, count: jobs.length },
    });
  } catch (cause) {
    throw new ImportFailed(importId, !(await removeAll(deps.repo, importId)), { cause });
  }
  for (const jobId of ids)
    await deps.onPosted?.({ jobId, change: 'created' }).catch(() => undefined);
  return { importId, ids };
}

/** An import still hidden after this long died midway. */
const STALE_MS = 60 * 60 * 1000;

async function removeAll(repo: Pick<JobRepo, 'removeImport'>, importId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await repo.removeImport(importId);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
  return false;
}

/** The column a problem belongs to: `title.bo` → `title_bo`, `title.zh-CN` → `title`. */
function fieldOf(path: string): CsvField | '' {
  const [head = '', sub] = path.split('.');
  if ((head === 'title' || head === 'description') && sub === 'bo') return `${head}_bo`;
  return CSV_FIELDS.find((f) => f === head) ?? '';
}

function readHeader(fields: string[], line: number, problems: CsvProblem[]): Map<CsvField, number> {
  const columns = new Map<CsvField, number>();
  fields.forEach((name, i) => {
    const field = HEADERS.get(fold(name));
    const column = name.trim();
    if (!field) problems.push({ line, field: '', column, message: `unknown column "${column}"` });
    else if (columns.has(field))
      problems.push({ line, field, column, message: 'column given twice' });
    else columns.set(field, i);
  });
  for (const field of REQUIRED)
    if (!columns.has(field))
      problems.push({ line, field, column: field, message: 'missing column' });
  return columns;
}

function fold(name: string): string {
  return name
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s_\-()（）]/g, '');
}

/** UTF-8 text (a BOM dropped), or the first line that is not UTF-8. */
function decode(data: Buffer): { text: string } | { line: number } {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: strict.decode(data) };
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= data.length; i++) {
      if (i < data.length && data[i] !== 0x0a) continue;
      try {
        strict.decode(data.subarray(start, i));
      } catch {
        return { line };
      }
      line++;
      start = i + 1;
    }
    return { line };
  }
}
