/**
 * The result check of the windowed queries: the engine's output equals the loop's as multisets
 * (order differs with parallelism and between windows that fire together). Records are compared
 * in a canonical text form, which also lets worker threads hand them over cheaply.
 */

/** A result record's canonical form: its JSON, object keys sorted, so key order does not matter. */
export function canonical(record: unknown): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

export interface ResultDifference {
  /** Records in `actual` more often than in `expected` (each once per extra occurrence). */
  readonly unexpected: string[];
  /** Records in `expected` more often than in `actual`. */
  readonly missing: string[];
}

/** How `actual` differs from `expected` as multisets of canonical records; both lists empty when equal. */
export function compareResults(expected: readonly string[], actual: readonly string[]): ResultDifference {
  const counts = new Map<string, number>();
  for (const r of expected) counts.set(r, (counts.get(r) ?? 0) + 1);
  const unexpected: string[] = [];
  for (const r of actual) {
    const n = counts.get(r) ?? 0;
    if (n === 0) unexpected.push(r);
    else counts.set(r, n - 1);
  }
  const missing: string[] = [];
  for (const [r, n] of counts) for (let i = 0; i < n; i++) missing.push(r);
  return { unexpected, missing };
}

/** The difference for a message: how many records are unexpected and missing, and the first few of each. */
export function describeDifference(difference: ResultDifference, shown = 5): string {
  const list = (records: readonly string[]) => records.slice(0, shown).map((r) => `    ${r}`).join("\n") + (records.length > shown ? `\n    ... and ${records.length - shown} more` : "");
  const parts: string[] = [];
  if (difference.unexpected.length > 0) parts.push(`  ${difference.unexpected.length} unexpected:\n${list(difference.unexpected)}`);
  if (difference.missing.length > 0) parts.push(`  ${difference.missing.length} missing:\n${list(difference.missing)}`);
  return parts.join("\n");
}
