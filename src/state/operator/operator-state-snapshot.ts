/**
 * Operator state as one parallel instance wrote it in a checkpoint: plain data, encoded with the
 * operator's other captured state in the synchronous phase, so later changes never reach it.
 */

/** How list state is redistributed on restore (Flink's OperatorStateHandle.Mode). */
export type ListDistribution = "split" | "union";

export interface OperatorStateSnapshot {
  /** Every registered list state: name, distribution and elements in order. */
  readonly lists: readonly (readonly [name: string, distribution: ListDistribution, elements: readonly unknown[]])[];
  /** Every registered broadcast state: name and [key, value] entries. */
  readonly broadcast: readonly (readonly [name: string, entries: readonly (readonly [unknown, unknown])[]])[];
}
