/** Plain-text table and number formatting for the CLI (no colour; output is read by people and by diff). */

export function formatTable(headers: string[], rows: (string | number)[][], alignRight: boolean[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatInt(c) : c)))];
  const widths = headers.map((_, k) => Math.max(...cells.map((r) => String(r[k] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r.map((c, k) => (alignRight[k] ? String(c).padStart(widths[k]!) : String(c).padEnd(widths[k]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatShape(shape: readonly number[]): string {
  return shape.join('x') || 'scalar';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
