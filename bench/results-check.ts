/**
 * The check that the engine computed what the hand-written loop computed: the same records, each
 * as many times, in any order (a parallel job's results interleave). Records are compared by
 * their JSON, so both sides must build them with the same fields in the same order.
 */

/** Where two multisets of records differ, said in one line; undefined when they are equal. */
export function multisetDifference(expected: readonly unknown[], actual: readonly unknown[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of expected) {
    const k = JSON.stringify(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const extra: string[] = [];
  for (const r of actual) {
    const k = JSON.stringify(r);
    const n = counts.get(k);
    if (n === undefined) extra.push(k);
    else if (n === 1) counts.delete(k);
    else counts.set(k, n - 1);
  }
  const missing = [...counts.entries()].flatMap(([k, n]) => Array<string>(n).fill(k));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const sample = (records: string[]) => (records.length === 0 ? "" : `, e.g. ${records[0]}`);
  return `${expected.length} expected, ${actual.length} got: ${missing.length} missing${sample(missing)}; ${extra.length} unexpected${sample(extra)}`;
}
