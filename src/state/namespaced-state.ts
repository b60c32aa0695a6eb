/**
 * Namespaced keyed state, for internal operators (Flink's InternalKvState and
 * InternalMergingState): a state that holds one value per (key, namespace) instead of one per key.
 * A window operator keeps each window's contents under the window as namespace; the user-facing
 * state of `getState` has no namespace and is untouched by any of this.
 *
 * `state` reads and writes the value of the backend's current key in this handle's current
 * namespace, with the same contract as user state (values may be changed in place; snapshots see
 * the state as it was when taken). Namespaces are compared by content as keys are (`normalizeKey`:
 * primitives, arrays, plain objects and class instances by their fields), so two `TimeWindow`s with
 * the same start and end are one namespace.
 */
import type { NormalizedKey } from "../core/key-groups.ts";
import type { State } from "./state.ts";

export interface InternalKvState<N, S extends State> {
  /** The state, for the current key in the current namespace. */
  readonly state: S;
  /** Makes `namespace` the one `state` reads and writes; it stays until changed. */
  setCurrentNamespace(namespace: N): void;
  /** The namespace last given to `setCurrentNamespace`; WEIR_ERR_INTERNAL before any. */
  getCurrentNamespace(): N;
  /** Whether the current key holds a value in the current namespace (an empty list counts as none); reads nothing for change. */
  hasValue(): boolean;
  /**
   * The current key's values by namespace, namespaces in their normalized form (a number is its
   * own), in no particular order; undefined when the key holds none. A live view for reading: no
   * value read from it may be changed, and the state must not be written while it is in use.
   */
  namespacesOfCurrentKey(): ReadonlyMap<NormalizedKey, unknown> | undefined;
}

/** A namespaced state whose values can be merged: list, reducing and aggregating state. */
export interface InternalMergingState<N, S extends State> extends InternalKvState<N, S> {
  /**
   * For the current key, moves the values of every `sources` namespace into `target` and removes
   * them from the sources: lists are appended (target's elements first, then each source's in the
   * order given), reduced values folded with the reduce function, accumulators combined with the
   * aggregate function's `merge`. Sources without a value are skipped; a source equal to `target`
   * is skipped. The current namespace is left as it was (`target` when none was set).
   */
  mergeNamespaces(target: N, sources: readonly N[]): void;
}
