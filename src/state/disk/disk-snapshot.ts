/**
 * A snapshot of the disk backend: a read transaction of the store (an MVCC view, taken after the
 * pending writes reached the store) read key group by key group while records keep writing, and
 * written in the canonical keyed-state format (WKS3, heap-snapshot.ts) so that it restores on any
 * backend. A (key group, state) range is copied from its stored bytes where they are the format's
 * (disk-packed-group.ts), else decoded into the heap backend's stored forms; both go to
 * HeapSnapshot's writer; the view is let go when the snapshot is written or released.
 */
import type { KeyGroupRange } from "../../core/key-groups.ts";
import type { KeyedStateSnapshot } from "../keyed-state-snapshot.ts";
import { HeapSnapshot, type FrozenState } from "../heap/heap-snapshot.ts";
import { namespacedEntryKey } from "../heap/namespaced-entry-key.ts";
import type { FrozenGroup, FrozenTable } from "../heap/state-table.ts";
import { PackedGroupWriter } from "./disk-packed-group.ts";
import type { DiskStateTable } from "./disk-state-table.ts";
import type { StoreView } from "./disk-store.ts";

/** The table as the view shows it, one key group at a time. */
function frozenTable(table: DiskStateTable<unknown>, range: KeyGroupRange, view: StoreView): FrozenTable<unknown> {
  return {
    group: (index): FrozenGroup<unknown> | undefined => {
      const entries = table.groupEntries(range.start + index, view);
      if (entries.length === 0) return undefined;
      if (!table.namespaced) return { sizeBound: entries.length, forEach: (visit) => entries.forEach(([key, value]) => visit(value, key)) };
      const flat: [string, unknown][] = [];
      for (const [key, namespaces] of entries) for (const [namespace, value] of namespaces as Map<unknown, unknown>) flat.push([namespacedEntryKey(key, namespace as never), value]);
      return { sizeBound: flat.length, forEach: (visit) => flat.forEach(([key, value]) => visit(value, key)) };
    },
    release: () => {},
  };
}

/**
 * The state's key groups as copies of their stored bytes, for states whose stored entries are the
 * snapshot's entries one for one (not namespaced: those are stored per key; no TTL filter).
 */
function packedGroups(table: DiskStateTable<unknown>, range: KeyGroupRange, view: StoreView, filter: FrozenState["filter"]): FrozenState["packedGroup"] {
  if (table.namespaced || filter !== undefined) return undefined;
  const writer = new PackedGroupWriter();
  return (index) => table.packedGroup(range.start + index, view, writer);
}

export class DiskSnapshot implements KeyedStateSnapshot {
  private readonly written: HeapSnapshot;

  constructor(
    range: KeyGroupRange,
    maxParallelism: number,
    states: readonly { table: DiskStateTable<unknown>; version: number; filter: FrozenState["filter"] }[],
    private readonly view: StoreView,
  ) {
    const frozen = states.map(({ table, version, filter }): FrozenState => ({ name: table.name, kind: table.kind, namespaced: table.namespaced, version, table: frozenTable(table, range, view), filter, packedGroup: packedGroups(table, range, view, filter) }));
    this.written = new HeapSnapshot(range, maxParallelism, frozen);
  }

  *write(): Generator<void, Uint8Array, void> {
    try {
      return yield* this.written.write();
    } finally {
      this.view.done();
    }
  }

  release(): void {
    this.written.release();
    this.view.done();
  }
}
