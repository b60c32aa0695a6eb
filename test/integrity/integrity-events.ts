/** The integrity lane's events and the property its committed output must have. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Event `seq`'s key: a hash spread, so keys do not follow the sources' subtask stride. */
export function eventKey(seq: number, keys: number): number {
  let h = Math.imul(seq ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % keys;
}

/** The committed lines of a committing file sink's directory (hidden files are not output). */
export function committedLines(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith("."))
    .flatMap((n) => readFileSync(join(dir, n), "utf8").split("\n"))
    .filter((l) => l !== "");
}

/**
 * Exactly-once: every event's line once, and for every key k exactly the counts 1..n_k, each once.
 * At-least-once: every event at least once, and every key counted up to at least n_k.
 * Returns the problems found (at most a few), empty when the property holds.
 */
export function checkOutput(lines: readonly string[], events: number, keys: number, mode: "exactly-once" | "at-least-once"): string[] {
  const problems: string[] = [];
  const seen = new Uint32Array(events);
  const counts = new Map<number, number[]>();
  for (const line of lines) {
    const [k, c, s] = line.split(",").map(Number) as [number, number, number];
    if (!(s >= 0 && s < events) || eventKey(s, keys) !== k) {
      problems.push(`line '${line}' is not an event of this run`);
      continue;
    }
    seen[s]!++;
    let list = counts.get(k);
    if (list === undefined) counts.set(k, (list = []));
    list.push(c);
  }
  const expected = new Map<number, number>();
  for (let s = 0; s < events; s++) expected.set(eventKey(s, keys), (expected.get(eventKey(s, keys)) ?? 0) + 1);
  let missing = 0;
  let duplicated = 0;
  for (let s = 0; s < events; s++) {
    if (seen[s] === 0) missing++;
    else if (seen[s]! > 1) duplicated++;
  }
  if (missing > 0) problems.push(`${missing} events have no committed line (lost)`);
  if (mode === "exactly-once" && duplicated > 0) problems.push(`${duplicated} events have more than one committed line (duplicated)`);
  for (const [k, n] of expected) {
    const got = (counts.get(k) ?? []).sort((a, b) => a - b);
    if (mode === "exactly-once") {
      if (got.length !== n || got.some((c, i) => c !== i + 1)) {
        problems.push(`key ${k}: expected counts 1..${n} once each, got ${got.length} lines [${got.slice(0, 8).join(",")}${got.length > 8 ? ",…" : ""}]`);
      }
    } else if ((got[got.length - 1] ?? 0) < n) {
      problems.push(`key ${k}: counted to ${got[got.length - 1] ?? 0}, fewer than its ${n} events`);
    }
    if (problems.length > 6) break;
  }
  return problems;
}

/**
 * The demonstration's property (examples/exactly-once.ts, event i has key i mod K): every key k has
 * exactly the lines `k,1` … `k,n_k`, once each, and the n_k add up to the number of events.
 */
export function checkDemonstration(lines: readonly string[], events: number, keys: number): string[] {
  const problems: string[] = [];
  const counts = new Map<number, number[]>();
  for (const line of lines) {
    const [k, c] = line.split(",").map(Number) as [number, number];
    let list = counts.get(k);
    if (list === undefined) counts.set(k, (list = []));
    list.push(c);
  }
  let total = 0;
  for (let k = 0; k < Math.min(keys, events); k++) {
    const n = Math.floor(events / keys) + (k < events % keys ? 1 : 0);
    const got = (counts.get(k) ?? []).sort((a, b) => a - b);
    total += got.length;
    if (got.length !== n || got.some((c, i) => c !== i + 1)) {
      problems.push(`key ${k}: expected ${k},1 … ${k},${n} once each, got ${got.length} lines [${got.slice(0, 8).join(",")}${got.length > 8 ? ",…" : ""}]`);
    }
    if (problems.length > 6) break;
  }
  if (problems.length === 0 && total !== events) problems.push(`${total} lines for ${events} events`);
  return problems;
}
