const monthFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
});

/** `YYYY-MM` in Lhasa (China Standard Time), the month key kept on records reported by month. */
export function lhasaMonth(at: Date): string {
  return monthFormat.format(at).slice(0, 7);
}
