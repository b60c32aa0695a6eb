/**
 * Operator state as one parallel instance wrote it in a checkpoint: plain data, encoded with the
 * operator's other captured state in the synchronous phase, so later changes never reach it.
 */

/** How list state is redistributed on restore (Flink's OperatorStateHandle.Mode). */
export type ListDistribution = "split" | "union";

/**
 * `version` is the schema version of the elements or values (see state/descriptors.ts); absent
 * it is 1 (it is left out when 1, as in snapshots written before versions were recorded). A list state appears once per
 * version it holds elements of: restored elements of an older version nobody asked for yet are
 * kept as they are.
 */
export interface OperatorStateSnapshot {
  /** Every registered list state: name, distribution, elements in order and their version. */
  readonly lists: readonly (readonly [name: string, distribution: ListDistribution, elements: readonly unknown[], version?: number])[];
  /** Every registered broadcast state: name, [key, value] entries and the values' version. */
  readonly broadcast: readonly (readonly [name: string, entries: readonly (readonly [unknown, unknown])[], version?: number])[];
}

type ListEntry = OperatorStateSnapshot["lists"][number];

/** A list state's entry in a snapshot, the version left out when 1. */
export function listEntry(name: string, distribution: ListDistribution, elements: readonly unknown[], version: number): ListEntry {
  return version === 1 ? [name, distribution, elements] : [name, distribution, elements, version];
}
