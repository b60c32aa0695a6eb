/**
 * Redistributes operator state to the instances of a (possibly) new parallelism, as Flink's
 * RoundRobinOperatorStateRepartitioner does:
 * - split list state: at the same parallelism each instance keeps its own elements; at another,
 *   the elements of all old instances, concatenated in instance order, are cut into
 *   `parallelism` contiguous parts whose sizes differ by at most one (larger parts first);
 * - union list state: every new instance gets the whole concatenation;
 * - broadcast state: every old instance holds the same contents, so new instance i gets the
 *   contents of old instance i mod (old parallelism) (of any old instance when that one wrote none).
 * Lists are kept apart per schema version (their elements are migrated when asked for, from their
 * own version). Pure: the inputs are not changed, and parts share the element objects of the inputs.
 */
import { WeirError } from "../../core/errors.ts";
import { listEntry, type ListDistribution, type OperatorStateSnapshot } from "./operator-state-snapshot.ts";

/**
 * `previous[i]` is what old instance i wrote (undefined when it wrote nothing); the result has
 * one snapshot per new instance.
 */
export function repartitionOperatorState(previous: readonly (OperatorStateSnapshot | undefined)[], parallelism: number): OperatorStateSnapshot[] {
  /** By name and version: the elements of every old instance that wrote the list at that version. */
  const lists = new Map<string, { name: string; version: number; distribution: ListDistribution; elements: unknown[] }>();
  const distributions = new Map<string, ListDistribution>();
  for (const snapshot of previous) {
    for (const [name, distribution, elements, version = 1] of snapshot?.lists ?? []) {
      const seen = distributions.get(name);
      if (seen !== undefined && seen !== distribution) {
        throw new WeirError("WEIR_ERR_STATE_CORRUPT", `operator list state '${name}' was written as ${seen} state by one instance and as ${distribution} state by another`);
      }
      distributions.set(name, distribution);
      const key = `${version}:${name}`;
      const list = lists.get(key);
      if (list === undefined) lists.set(key, { name, version, distribution, elements: [...elements] });
      else for (const element of elements) list.elements.push(element);
    }
  }
  const unchanged = parallelism === previous.length;
  const parts: OperatorStateSnapshot[] = [];
  for (let i = 0; i < parallelism; i++) {
    const mine: OperatorStateSnapshot["lists"][number][] = [];
    for (const { name, version, distribution, elements } of lists.values()) {
      if (distribution === "union") mine.push(listEntry(name, distribution, elements.slice(), version));
      else if (!unchanged) mine.push(listEntry(name, distribution, evenSplitPart(elements, i, parallelism), version));
      else mine.push(listEntry(name, distribution, [...(previous[i]?.lists.find(([n, , , v = 1]) => n === name && v === version)?.[2] ?? [])], version));
    }
    const source = previous.length === 0 ? undefined : (previous[i % previous.length] ?? previous.find((p) => p !== undefined));
    parts.push({ lists: mine, broadcast: source?.broadcast ?? [] });
  }
  return parts;
}

/** Part `index` of `parallelism` contiguous parts of `elements`, sizes differing by at most one. */
export function evenSplitPart<T>(elements: readonly T[], index: number, parallelism: number): T[] {
  const base = Math.floor(elements.length / parallelism);
  const remainder = elements.length % parallelism;
  const start = index * base + Math.min(index, remainder);
  return elements.slice(start, start + base + (index < remainder ? 1 : 0));
}
