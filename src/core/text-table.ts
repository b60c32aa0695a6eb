/** Plain-text tables for terminal output: columns padded to line up, chosen columns right-aligned, a left-aligned last column never padded. */

/** The header and rows as lines (no trailing newline); `rightAligned` holds column indexes. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 && !rightAligned.has(i) ? v : rightAligned.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ");
  return [line(header), ...rows.map(line)];
}
