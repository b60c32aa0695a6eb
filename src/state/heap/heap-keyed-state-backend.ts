/**
 * The heap keyed state backend: every keyed state of one subtask in JavaScript maps, one map per
 * key group of the subtask's range (see StateTable), so snapshots and rescaling can take state key
 * group by key group.
 *
 * Stored forms seen through `keyGroupEntries`, per kind: value — the value; list — the non-empty
 * element array; map — a non-empty `Map` from normalized user key to `UserMapEntry` (user key as
 * put, value); reducing — the reduced value; aggregating — the accumulator.
 *
 * Access costs: `setCurrentKey` hashes the key and, for composite keys only, builds its canonical
 * string; a value-state read or write is an array read and one `Map` operation, plus, while a
 * snapshot holds the key's group, the copy-on-write bookkeeping StateTable describes. Namespaced
 * state (see NamespacedStateTable) adds one lookup of the namespace in the key's namespace map;
 * windows give their normalized form ready-made (see TimeWindow).
 *
 * TTL (a descriptor with `enableTimeToLive`): the state is the TTL layer of state/ttl over the
 * heap state of the same kind, on the backend's clock; snapshots leave expired values out (as of
 * the time `snapshot()` is called), and incremental cleanup walks the table between accesses.
 */
import { systemClock, type Clock } from "../../core/clock.ts";
import { internalError } from "../../core/errors.ts";
import { keyGroup as asKeyGroup, type KeyGroup } from "../../core/ids.ts";
import { normalizeKey, type KeyGroupRange, type NormalizedKey } from "../../core/key-groups.ts";
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  StateKind,
  ValueStateDescriptor,
} from "../descriptors.ts";
import type { KeyedStateBackend, KeyedStateBackendOptions } from "../keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../keyed-state-snapshot.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state.ts";
import type { InternalKvState, InternalMergingState } from "../namespaced-state.ts";
import { CurrentKey } from "./current-key.ts";
import { HeapNamespacedState } from "./heap-namespaced-state.ts";
import { askedFor, askedForNames, checkedKeyGroupRange, checkRestoredAsRegistered, checkSameState, keyGroupInRange, mergeFor, ttlOf } from "../keyed-backend-rules.ts";
import { NamespacedStateTable } from "./namespaced-state-table.ts";
import { HeapAggregatingState } from "./heap-aggregating-state.ts";
import { HeapListState } from "./heap-list-state.ts";
import { HeapMapState, type UserMap } from "./heap-map-state.ts";
import { HeapReducingState } from "./heap-reducing-state.ts";
import { HeapValueState } from "./heap-value-state.ts";
import { migrateStored, type Migrate } from "./heap-migration.ts";
import { migrationMissing, versionChange } from "../schema-versions.ts";
import { deepCopy } from "../../core/deep-copy.ts";
import { HeapSnapshot, readKeyedSnapshot, type FrozenState, type RestoredState } from "./heap-snapshot.ts";
import { HeapChangesSnapshot, type ChangedState } from "./heap-changes-snapshot.ts";
import { StateTable, type CurrentEntry, type KeyGroupTable } from "./state-table.ts";
import { createTtlState } from "../ttl/ttl-state-factory.ts";
import type { StateTtlConfig } from "../ttl/state-ttl-config.ts";
import { IncrementalCleanup, withoutExpired } from "./heap-ttl.ts";

export type HeapKeyedStateBackendOptions = KeyedStateBackendOptions;

/**
 * One state's table. `state` is what a function asked for; a state restored but not asked for yet
 * has none, and its table is frozen and copied-on-write like any other, so a function that asks
 * for it late (on the first record after a restore, say) shares nothing with a live snapshot.
 */
type TableEntry = PlainEntry | NamespacedEntry;

/**
 * What every entry has besides its table. `version` is the schema version of the table's
 * entries; `older` holds restored entries of other versions (snapshots of subtasks that did not
 * all ask for the state), written as they are until the state is asked for, when all of it is
 * migrated into `table` (see `bringToVersion`). `descriptor` is the one the state was first asked with.
 */
interface EntryCommon {
  readonly kind: StateKind;
  version: number;
  older: { readonly version: number; readonly table: KeyGroupTable }[];
  descriptor: StateDescriptor | undefined;
}

interface PlainEntry extends EntryCommon {
  readonly namespaced: false;
  readonly table: StateTable<unknown>;
  state: State | undefined;
  /** The TTL the state was asked for with, if any. */
  ttl: StateTtlConfig | undefined;
}

/** A state asked for by `getNamespacedState` (or restored as one): values per (key, namespace). */
interface NamespacedEntry extends EntryCommon {
  readonly namespaced: true;
  readonly table: NamespacedStateTable<unknown>;
  state: State | undefined;
  /** The handle `getNamespacedState` returns, once asked for. */
  handle: HeapNamespacedState<unknown, State> | undefined;
  readonly ttl: undefined;
}

export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  private readonly start: number;
  private readonly end: number;
  private readonly current = new CurrentKey();
  /** Every state's table, requested or restored, in the order they were first seen. */
  private readonly tables = new Map<string, TableEntry>();
  private readonly clock: Clock;
  private readonly operator: string | undefined;
  /** Whether tables track their changes (the `changelog` option). */
  private readonly changelog: boolean;
  /** Set when state was restored or migrated: the tracked changes no longer say what changed since the last `snapshotChanges`. */
  private changesLost = false;

  constructor(options: HeapKeyedStateBackendOptions) {
    const { maxParallelism } = options;
    const range = checkedKeyGroupRange(options.keyGroupRange, maxParallelism);
    this.keyGroupRange = range;
    this.maxParallelism = maxParallelism;
    this.start = range.start;
    this.end = range.end;
    this.clock = options.clock ?? systemClock;
    this.operator = options.operator;
    this.changelog = options.changelog === true;
  }

  setCurrentKey(key: unknown): void {
    const group = keyGroupInRange(key, this.keyGroupRange, this.maxParallelism);
    const current = this.current;
    current.key = key;
    current.normalized = normalizeKey(key);
    current.keyGroup = group;
    current.index = group - this.start;
  }

  getCurrentKey(): unknown {
    this.checkCurrentKey();
    return this.current.key;
  }

  getCurrentKeyGroup(): KeyGroup {
    this.checkCurrentKey();
    return asKeyGroup(this.current.keyGroup);
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getState(descriptor: StateDescriptor): State;
  getState(descriptor: StateDescriptor): State {
    const entry = this.tables.get(descriptor.name);
    if (entry === undefined) {
      const table = this.newTable(descriptor.name, false);
      const ttl = ttlOf(descriptor);
      const state = this.createState(descriptor, table, ttl);
      this.tables.set(descriptor.name, { kind: descriptor.kind, namespaced: false, table, state, ttl, version: descriptor.version, older: [], descriptor });
      return state;
    }
    checkSameState(entry, descriptor, false);
    if (entry.state === undefined && !entry.namespaced) {
      entry.ttl = ttlOf(descriptor);
      entry.descriptor = descriptor;
      this.bringToVersion(descriptor.name, entry);
      entry.state = this.createState(descriptor, entry.table, entry.ttl);
    }
    return entry.state!;
  }

  private createState(descriptor: StateDescriptor, table: StateTable<unknown>, ttl: StateTtlConfig | undefined): State {
    if (ttl === undefined) return createState(descriptor, table);
    const cleanupSize = ttl.getCleanupStrategies().incrementalCleanupSize;
    const cleanup = cleanupSize === 0 ? undefined : new IncrementalCleanup(descriptor.kind, ttl.getTtl(), cleanupSize, {
      groups: this.end - this.start + 1,
      entries: (index) => table.entries(this.start + index),
      rewrite: (index, key, change) => this.rewriteOtherKey(table, index, key, change),
    });
    const context = {
      config: ttl,
      now: () => this.clock.now(),
      cleanupStep: cleanup === undefined ? () => {} : () => cleanup.step(this.clock.now()),
    };
    return createTtlState(descriptor, context, (inner) => createState(inner, table));
  }

  /** Rewrites an entry of a key that is not (necessarily) the current one, which is kept, through copy-on-write. */
  private rewriteOtherKey(table: StateTable<unknown>, index: number, key: NormalizedKey, change: (owned: unknown) => unknown): void {
    const current = this.current;
    const { normalized, keyGroup, index: currentIndex } = current;
    current.normalized = key;
    current.index = index;
    current.keyGroup = this.start + index;
    try {
      table.set(change(table.getForChange()));
    } finally {
      current.normalized = normalized;
      current.keyGroup = keyGroup;
      current.index = currentIndex;
    }
  }

  getNamespacedState<N, T>(descriptor: ValueStateDescriptor<T>): InternalKvState<N, ValueState<T>>;
  getNamespacedState<N, T>(descriptor: ListStateDescriptor<T>): InternalMergingState<N, ListState<T>>;
  getNamespacedState<N, K, V>(descriptor: MapStateDescriptor<K, V>): InternalKvState<N, MapState<K, V>>;
  getNamespacedState<N, T>(descriptor: ReducingStateDescriptor<T>): InternalMergingState<N, ReducingState<T>>;
  getNamespacedState<N, IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): InternalMergingState<N, AggregatingState<IN, OUT>>;
  getNamespacedState<N>(descriptor: StateDescriptor): InternalKvState<N, State>;
  getNamespacedState<N>(descriptor: StateDescriptor): InternalKvState<N, State> {
    let entry = this.tables.get(descriptor.name);
    if (entry === undefined) {
      entry = this.namespacedEntry(descriptor.name, descriptor.kind, descriptor.version);
      this.tables.set(descriptor.name, entry);
    } else checkSameState(entry, descriptor, true);
    if (!entry.namespaced) throw internalError(`state '${descriptor.name}' is not namespaced`);
    if (entry.handle === undefined) {
      entry.descriptor = descriptor;
      this.bringToVersion(descriptor.name, entry);
      const state = createState(descriptor, entry.table);
      entry.state = state;
      entry.handle = new HeapNamespacedState(state, entry.table, mergeFor(descriptor));
    }
    return entry.handle as InternalKvState<N, State>;
  }

  private namespacedEntry(name: string, kind: StateKind, version: number): NamespacedEntry {
    return { kind, namespaced: true, table: this.newTable(name, true), state: undefined, handle: undefined, ttl: undefined, version, older: [], descriptor: undefined };
  }

  private newTable(name: string, namespaced: true): NamespacedStateTable<unknown>;
  private newTable(name: string, namespaced: false): StateTable<unknown>;
  private newTable(name: string, namespaced: boolean): KeyGroupTable;
  private newTable(name: string, namespaced: boolean): KeyGroupTable {
    const table = namespaced ? new NamespacedStateTable<unknown>(name, this.keyGroupRange, this.current) : new StateTable<unknown>(name, this.keyGroupRange, this.current);
    if (this.changelog) table.trackChanges();
    return table;
  }

  /**
   * Brings every entry of a state its function now asks for (restored at any versions) to the
   * descriptor's version, in the table the state reads: all at once, so that no entry of an older
   * version is read, or written to a later checkpoint as if it were of the new one. A version the
   * descriptor cannot migrate from is WEIR_ERR_STATE_MIGRATION_MISSING, even when no entry has it
   * (as the compatibility check, which reads only which versions a checkpoint has, decides). Objects a live snapshot
   * still sees are copied before `migrate` gets them, as it may change them in place.
   */
  private bringToVersion(name: string, entry: TableEntry): void {
    const descriptor = entry.descriptor!;
    const target = descriptor.version;
    const parts = [{ version: entry.version, table: entry.table as KeyGroupTable }, ...entry.older];
    if (parts.every((p) => p.version === target)) return;
    for (const part of parts) {
      if (part.version !== target && versionChange(part.version, target, descriptor.migrate !== undefined) !== "migrated") {
        throw migrationMissing(this.operator, name, part.version, target);
      }
    }
    const migrate = descriptor.migrate as Migrate | undefined;
    const ttl = ttlOf(descriptor) !== undefined;
    for (let group = this.start; group <= this.end; group++) {
      const entries: [NormalizedKey, unknown][] = [];
      let read = 0;
      for (const part of parts) {
        const held = part.table.held(group);
        for (const [key, stored] of part.table.entries(group)) {
          read++;
          const owned = held ? deepCopy(stored) : stored;
          const now = part.version === target ? owned : migrateStored(entry.kind, owned, migrate!, part.version, ttl);
          if (now !== undefined) entries.push([key, now]);
        }
      }
      if (read > 0) entry.table.load(group, entries);
    }
    // Entries changed version, and older ones went: no change of a chain can say that.
    this.changesLost = true;
    entry.version = target;
    entry.older = [];
  }

  /** The descriptor a state was first asked for with, and whether it is namespaced; undefined for a name never asked for. */
  registeredState(stateName: string): { readonly descriptor: StateDescriptor; readonly namespaced: boolean } | undefined {
    const entry = this.tables.get(stateName);
    return entry?.descriptor === undefined ? undefined : { descriptor: entry.descriptor, namespaced: entry.namespaced };
  }

  /**
   * Freezes all state in O(states × key groups) for a snapshot; writing it out can then proceed
   * step by step while records keep changing the live state (copy-on-write per entry).
   */
  snapshot(): KeyedStateSnapshot {
    return new HeapSnapshot(this.keyGroupRange, this.maxParallelism, this.everyTable((table) => ({ table: table.freeze() })));
  }

  /**
   * Per table (each state's, then its older versions'), what `part` makes of it with the state's
   * name, kind, version and TTL filter (as of now: expired values are left out).
   */
  private everyTable<P>(part: (table: KeyGroupTable) => P): (P & Omit<FrozenState, "table">)[] {
    const parts: (P & Omit<FrozenState, "table">)[] = [];
    const now = this.clock.now();
    for (const [name, entry] of this.tables) {
      const ttl = entry.ttl?.getTtl();
      const kind = entry.kind;
      const filter = ttl === undefined ? undefined : (stored: unknown) => withoutExpired(kind, stored, ttl, now);
      parts.push({ name, kind, namespaced: entry.namespaced, version: entry.version, filter, ...part(entry.table) });
      for (const older of entry.older) parts.push({ name, kind, namespaced: entry.namespaced, version: older.version, ...part(older.table) });
    }
    return parts;
  }

  snapshotChanges(): KeyedStateSnapshot | undefined {
    if (!this.changelog) throw internalError("snapshotChanges() needs a backend created with the changelog option");
    const changed: ChangedState[] = this.everyTable((table) => ({ changes: table.freezeChanges() }));
    const snapshot = new HeapChangesSnapshot(this.keyGroupRange, this.maxParallelism, changed);
    if (!this.changesLost) return snapshot;
    snapshot.release();
    this.changesLost = false;
    return undefined;
  }

  /**
   * Loads snapshots (of any parallelism and max parallelism) before the state is used and before
   * any snapshot is taken: only key groups in this backend's range are kept; entries of a snapshot
   * with another max parallelism are re-bucketed by their keys. State already present is replaced
   * group by group.
   */
  restore(snapshots: Iterable<Uint8Array>, from?: readonly string[]): void {
    this.changesLost = true;
    const incoming = new Map<string, RestoredState>();
    let i = 0;
    for (const bytes of snapshots) readKeyedSnapshot(bytes, this.keyGroupRange, incoming, this.maxParallelism, from?.[i++]);
    for (const [name, restored] of incoming) {
      const newest = Math.max(...restored.versions.keys());
      let entry = this.tables.get(name);
      if (entry === undefined) {
        entry = restored.namespaced
          ? this.namespacedEntry(name, restored.kind, newest)
          : { kind: restored.kind, namespaced: false, table: this.newTable(name, false), state: undefined, ttl: undefined, version: newest, older: [], descriptor: undefined };
        this.tables.set(name, entry);
      } else checkRestoredAsRegistered(name, entry, restored);
      entry.older = [];
      for (const [version, groups] of restored.versions) {
        let table: KeyGroupTable = entry.table;
        if (version !== entry.version) entry.older.push({ version, table: (table = this.newTable(name, entry.namespaced)) });
        for (const [group, entries] of groups) table.load(group, entries);
      }
      if (entry.descriptor !== undefined) this.bringToVersion(name, entry);
    }
  }

  stateNames(): string[] {
    return askedForNames(this.tables);
  }

  stateNamesWithEntries(): string[] {
    const names: string[] = [];
    for (const [name, entry] of this.tables) if (entry.table.size() > 0 || entry.older.some((o) => o.table.size() > 0)) names.push(name);
    return names;
  }

  stateKind(stateName: string): StateKind | undefined {
    const entry = this.tables.get(stateName);
    return entry?.state === undefined ? undefined : entry.kind;
  }

  keyGroupEntries(stateName: string, keyGroup: number): IterableIterator<[NormalizedKey, unknown]> {
    return this.table(stateName).entries(keyGroup);
  }

  numKeys(stateName: string): number {
    return this.table(stateName).size();
  }

  /** Nothing to release: the state is garbage once the backend is. */
  dispose(): void {}

  private table(stateName: string): KeyGroupTable {
    return askedFor(this.tables, stateName).table;
  }

  private checkCurrentKey(): void {
    if (this.current.index < 0) throw internalError("no current key is set");
  }
}

function createState(descriptor: StateDescriptor, table: CurrentEntry<unknown>): State {
  switch (descriptor.kind) {
    case "value":
      return new HeapValueState(table);
    case "list":
      return new HeapListState(table as CurrentEntry<unknown[]>);
    case "map":
      return new HeapMapState(table as CurrentEntry<UserMap<unknown, unknown>>);
    case "reducing":
      return new HeapReducingState(table, descriptor.reduce);
    case "aggregating":
      return new HeapAggregatingState(table, descriptor.aggregate);
  }
}
