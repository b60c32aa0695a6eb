/**
 * Compares what a sink committed in one run with what it committed in the reference run. Pure.
 *
 * - "exactly-once": equal as multisets; and with a key function, each key's records in the same
 *   order (what a keyed stream fixes: one key's records pass through one subtask, in order).
 * - "at-least-once": nothing lost: every record of the reference, at least as many times.
 *
 * Records are compared by value (their JSON form; strings as they are).
 */

/** The key of an output record, for per-key order; undefined: the record has no key. */
export type OutputKey = (record: unknown) => unknown;

export type ComparisonRule = "exactly-once" | "at-least-once";

/** The first difference found, in words a report can print. */
export interface OutputDifference {
  /** The record's key (shown), when a key function was given. */
  readonly key: string | undefined;
  readonly expected: string;
  readonly got: string;
}

/** A record as the report shows it and as records are told apart. */
export function showRecord(record: unknown): string {
  if (typeof record === "string") return record;
  return JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(record);
}

function times(n: number): string {
  return n === 0 ? "missing" : n === 1 ? "once" : `${n} times`;
}

function counts(records: readonly unknown[]): Map<string, { record: unknown; n: number }> {
  const m = new Map<string, { record: unknown; n: number }>();
  for (const record of records) {
    const id = showRecord(record);
    const c = m.get(id);
    if (c === undefined) m.set(id, { record, n: 1 });
    else c.n++;
  }
  return m;
}

function keyText(keyOf: OutputKey | undefined, record: unknown): string | undefined {
  if (keyOf === undefined) return undefined;
  const k = keyOf(record);
  return k === undefined ? undefined : showRecord(k);
}

function byKey(records: readonly unknown[], keyOf: OutputKey): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  for (const record of records) {
    const k = keyText(keyOf, record);
    if (k === undefined) continue;
    let list = m.get(k);
    if (list === undefined) m.set(k, (list = []));
    list.push(record);
  }
  return m;
}

/** The first difference between `got` and `expected` under `rule`, or undefined when it holds. */
export function compareOutputs(expected: readonly unknown[], got: readonly unknown[], rule: ComparisonRule, keyOf?: OutputKey): OutputDifference | undefined {
  const want = counts(expected);
  const have = counts(got);
  for (const [id, w] of want) {
    const n = have.get(id)?.n ?? 0;
    if (rule === "exactly-once" ? n !== w.n : n < w.n) {
      return { key: keyText(keyOf, w.record), expected: `${id} ${times(w.n)}`, got: `${id} ${times(n)}` };
    }
  }
  if (rule === "at-least-once") return undefined;
  for (const [id, h] of have) {
    if (!want.has(id)) return { key: keyText(keyOf, h.record), expected: `no ${id}`, got: `${id} ${times(h.n)}` };
  }
  if (keyOf === undefined) return undefined;
  const gotByKey = byKey(got, keyOf);
  for (const [key, sequence] of byKey(expected, keyOf)) {
    const actual = gotByKey.get(key) ?? [];
    for (let i = 0; i < sequence.length; i++) {
      if (showRecord(sequence[i]) !== showRecord(actual[i])) {
        return { key, expected: `record ${i + 1} of this key: ${showRecord(sequence[i])}`, got: `record ${i + 1} of this key: ${actual[i] === undefined ? "none" : showRecord(actual[i])}` };
      }
    }
  }
  return undefined;
}

/**
 * A key function from its command-line form: "csv:<n>" is the n-th comma-separated field of a
 * line (from 0), "field:<name>" a property of a record (or of a line holding a JSON object).
 */
export function parseOutputKey(spec: string): OutputKey {
  const [kind, arg] = [spec.slice(0, spec.indexOf(":")), spec.slice(spec.indexOf(":") + 1)];
  if (kind === "csv" && /^\d+$/.test(arg)) {
    const n = Number(arg);
    return (record) => (typeof record === "string" ? record.split(",")[n] : undefined);
  }
  if (kind === "field" && arg !== "") {
    return (record) => {
      let value = record;
      if (typeof value === "string") {
        try {
          value = JSON.parse(value);
        } catch {
          return undefined;
        }
      }
      return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[arg] : undefined;
    };
  }
  throw new Error(`key '${spec}' is not csv:<n> or field:<name>`);
}
