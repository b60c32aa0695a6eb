/**
 * Snapshots of the disk backend. A full snapshot: a read transaction of the store (an MVCC view, taken after the
 * pending writes reached the store) read key group by key group while records keep writing, and
 * written in the canonical keyed-state format (WKS3, heap-snapshot.ts) so that it restores on any
 * backend. A (key group, state) range is copied from its stored bytes where they are the format's
 * (disk-packed-group.ts), else decoded into the heap backend's stored forms; both go to
 * HeapSnapshot's writer; the view is let go when the snapshot is written or released.
 * A changes snapshot (incremental checkpoints) holds the keys written since the previous one with
 * what each was last written as (DiskStateTable's tracked changes), so it reads nothing from the
 * store and holds no view of it; it is written in the heap backend's changes format
 * (heap-changes-snapshot.ts).
 */
import type { KeyGroupRange } from "../../core/key-groups.ts";
import type { KeyedStateSnapshot } from "../keyed-state-snapshot.ts";
import { HeapSnapshot, type FrozenState } from "../heap/heap-snapshot.ts";
import { HeapChangesSnapshot } from "../heap/heap-changes-snapshot.ts";
import { namespacedEntryKey } from "../heap/namespaced-entry-key.ts";
import type { FrozenChanges, FrozenGroup, FrozenTable } from "../heap/state-table.ts";
import type { NormalizedKey } from "../../core/key-groups.ts";
import { PackedGroupWriter } from "./disk-packed-group.ts";
import { REMOVED, type DiskStateTable, type TableChanges } from "./disk-state-table.ts";
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

/** A snapshot written from a view of the store, which is let go once it is written or released. */
abstract class ViewedSnapshot implements KeyedStateSnapshot {
  protected abstract readonly written: KeyedStateSnapshot;

  constructor(protected readonly view: StoreView) {}

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

export class DiskSnapshot extends ViewedSnapshot {
  protected readonly written: HeapSnapshot;

  constructor(
    range: KeyGroupRange,
    maxParallelism: number,
    states: readonly { table: DiskStateTable<unknown>; version: number; filter: FrozenState["filter"] }[],
    view: StoreView,
  ) {
    super(view);
    const frozen = states.map(({ table, version, filter }): FrozenState => ({ name: table.name, kind: table.kind, namespaced: table.namespaced, version, table: frozenTable(table, range, view), filter, packedGroup: packedGroups(table, range, view, filter) }));
    this.written = new HeapSnapshot(range, maxParallelism, frozen);
  }
}

/** The tracked changes of a table, in the form FrozenChanges gives them; a group's are dropped once released. */
function trackedChanges(table: DiskStateTable<unknown>, changes: TableChanges): FrozenChanges {
  return {
    changed: (index) => changes[index] !== undefined,
    forEachChange: (index, put, removed) => {
      for (const [key, change] of changes[index] ?? []) {
        if (change === REMOVED) {
          removed(key);
          continue;
        }
        const value = table.changedValue(change);
        if (!table.namespaced) {
          put(value, key);
          continue;
        }
        removed(key);
        for (const [namespace, inner] of value as Map<NormalizedKey, unknown>) put(inner, namespacedEntryKey(key, namespace));
      }
    },
    release: (index) => {
      changes[index] = undefined;
    },
  };
}

/** The changes since the previous changes snapshot, as they were when taken (see the module's comment). */
export class DiskChangesSnapshot extends HeapChangesSnapshot {
  constructor(range: KeyGroupRange, maxParallelism: number, states: readonly { table: DiskStateTable<unknown>; version: number; changes: TableChanges; filter: FrozenState["filter"] }[]) {
    super(
      range,
      maxParallelism,
      states.map(({ table, version, changes, filter }) => ({ name: table.name, kind: table.kind, namespaced: table.namespaced, version, changes: trackedChanges(table, changes), filter })),
    );
  }
}
