/** One row per line of each case's thread (Excel-friendly: UTF-8 with BOM, CRLF, quoted). */
export function casesCsv(
  cases: {
    id: string;
    personId: string;
    channel: string;
    language: string;
    reason: string;
    status: string;
    counsellor: { name: string | null } | null;
    openedAt: string;
    closedAt: string | null;
    rating: number | null;
    thread: { from: string; text: string; at: string; mediaUrl: string | null }[];
  }[],
): string {
  const header = [
    'caseId',
    'personId',
    'channel',
    'language',
    'reason',
    'status',
    'counsellor',
    'openedAt',
    'closedAt',
    'rating',
    'from',
    'at',
    'text',
    'mediaUrl',
  ];
  const rows: string[][] = [header];
  for (const c of cases) {
    const head = [
      c.id,
      c.personId,
      c.channel,
      c.language,
      c.reason,
      c.status,
      c.counsellor?.name ?? '',
      c.openedAt,
      c.closedAt ?? '',
      c.rating === null ? '' : String(c.rating),
    ];
    if (c.thread.length === 0) rows.push([...head, '', '', '', '']);
    for (const e of c.thread) rows.push([...head, e.from, e.at, e.text, e.mediaUrl ?? '']);
  }
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Quoted; a leading = + - @ is defused so a spreadsheet never runs a person's text as a formula. */
function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replaceAll('"', '""')}"`;
}
