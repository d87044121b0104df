/** A plain-text table: one header row, columns as wide as their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Aligned `label: value` lines; null and undefined values are left out. */
export function fields(entries: readonly (readonly [string, string | number | boolean | null | undefined])[]): string {
  const shown = entries.filter((e): e is readonly [string, string | number | boolean] => e[1] != null);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${String(value)}`).join('\n');
}

/** At most `max` characters on one line. */
export function short(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
