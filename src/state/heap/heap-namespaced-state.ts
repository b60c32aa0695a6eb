/**
 * A namespaced heap state: one of the heap state kinds over a table whose entries are (key,
 * namespace) pairs (see NamespaceCursor), with the namespace switch and, for list, reducing and
 * aggregating state, the merge of namespaces a merging window assigner needs.
 *
 * Merging keeps the copy-on-write contract: every value is read through StateTable.getForChange
 * before it is changed or moved, so no live snapshot sees a merged value change, and each source
 * is removed through the table, so a snapshot still sees it where it was.
 */
import { WeirError } from "../../core/errors.ts";
import type { InternalMergingState } from "../namespaced-state.ts";
import type { State } from "../state.ts";
import type { NamespaceCursor } from "./namespace-cursor.ts";
import type { StateTable } from "./state-table.ts";

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
    private readonly cursor: NamespaceCursor,
    private readonly table: StateTable<unknown>,
    /** How two values of this state fold into one, or why they cannot (raised before anything changes). */
    private readonly merge: MergeValues | WeirError,
  ) {}

  setCurrentNamespace(namespace: N): void {
    this.cursor.setNamespace(namespace);
  }

  getCurrentNamespace(): N {
    return this.cursor.getNamespace() as N;
  }

  mergeNamespaces(target: N, sources: readonly N[]): void {
    const merge = this.merge;
    if (merge instanceof WeirError) throw merge;
    const cursor = this.cursor;
    const previous = cursor.isSet() ? { namespace: cursor.getNamespace() } : undefined;
    try {
      cursor.setNamespace(target);
      const targetEntry = cursor.normalized;
      let merged: unknown = undefined;
      for (const source of sources) {
        cursor.setNamespace(source);
        if (cursor.normalized === targetEntry) continue;
        const value = this.table.getForChange();
        if (value === undefined) continue;
        this.table.remove();
        merged = merged === undefined ? value : merge(merged, value);
      }
      if (merged === undefined) return;
      cursor.setNamespace(target);
      const current = this.table.getForChange();
      this.table.set(current === undefined ? merged : merge(current, merged));
    } finally {
      cursor.setNamespace(previous === undefined ? target : previous.namespace);
    }
  }
}
