/**
 * A namespaced state: one of the state kinds over a NamespacedStateTable (key → namespace →
 * value) or the disk backend's equivalent, with the namespace switch and, for list, reducing and aggregating state,
 * the merge of namespaces a merging window assigner needs.
 *
 * Merging keeps the copy-on-write contract: every value is read through CurrentEntry.getForChange
 * before it is changed or moved, so no live snapshot sees a merged value change, and each source
 * is removed through the table, so a snapshot still sees it where it was.
 */
import { WeirError } from "../../core/errors.ts";
import type { NormalizedKey } from "../../core/key-groups.ts";
import type { InternalMergingState } from "../namespaced-state.ts";
import type { State } from "../state.ts";
import type { CurrentEntry } from "./state-table.ts";

/**
 * The entries a namespaced state reads and writes: the current key's, in a current namespace
 * (NamespacedStateTable on the heap; the disk backend's table, whose reads are copies, alike).
 */
export interface NamespacedEntries extends CurrentEntry<unknown> {
  setNamespace(namespace: unknown): void;
  getNamespace(): unknown;
  /** Whether a namespace was set. */
  isSet(): boolean;
  /** The current namespace as stored. */
  readonly normalized: NormalizedKey;
  namespacesOfCurrentKey(): ReadonlyMap<NormalizedKey, unknown> | undefined;
}

/** Folds `source` into `target` (both owned by the caller) and returns the result. */
export type MergeValues = (target: unknown, source: unknown) => unknown;

/** Appends `source`'s elements to `target`. */
export const mergeLists: MergeValues = (target, source) => {
  const list = target as unknown[];
  for (const element of source as unknown[]) list.push(element);
  return list;
};

export class HeapNamespacedState<N, S extends State> implements InternalMergingState<N, S> {
  constructor(
    readonly state: S,
    private readonly table: NamespacedEntries,
    /** How two values of this state fold into one, or why they cannot (raised before anything changes). */
    private readonly merge: MergeValues | WeirError,
  ) {}

  setCurrentNamespace(namespace: N): void {
    this.table.setNamespace(namespace);
  }

  getCurrentNamespace(): N {
    return this.table.getNamespace() as N;
  }

  hasValue(): boolean {
    return this.table.get() !== undefined;
  }

  namespacesOfCurrentKey(): ReadonlyMap<NormalizedKey, unknown> | undefined {
    return this.table.namespacesOfCurrentKey();
  }

  mergeNamespaces(target: N, sources: readonly N[]): void {
    const merge = this.merge;
    if (merge instanceof WeirError) throw merge;
    const table = this.table;
    const previous = table.isSet() ? { namespace: table.getNamespace() } : undefined;
    try {
      table.setNamespace(target);
      const targetNamespace = table.normalized;
      let merged: unknown = undefined;
      for (const source of sources) {
        table.setNamespace(source);
        if (Object.is(table.normalized, targetNamespace)) continue;
        const value = table.getForChange();
        if (value === undefined) continue;
        table.remove();
        merged = merged === undefined ? value : merge(merged, value);
      }
      if (merged === undefined) return;
      table.setNamespace(target);
      const current = table.getForChange();
      table.set(current === undefined ? merged : merge(current, merged));
    } finally {
      table.setNamespace(previous === undefined ? target : previous.namespace);
    }
  }
}
