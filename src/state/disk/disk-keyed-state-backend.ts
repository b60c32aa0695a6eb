/**
 * The disk keyed state backend: every keyed state of one subtask in an embedded LMDB store on
 * local disk (DiskStore), so state may be larger than the JavaScript heap. One store entry per
 * (state, key), under a binary key that starts with the key group (disk-key.ts); values in the
 * heap backend's stored forms, written with the value codec (disk-stored-form.ts).
 *
 * Access stays synchronous: a read is a lookup in the store's overlay of pending writes, then in
 * LMDB (memory-mapped, no await); writes collect in the overlay and reach LMDB a few thousand at a
 * time in one write transaction. Every read decodes a new copy: a value changed in place is the
 * state's only once written back (`update`, `put`, `add`), as with Flink's RocksDB backend, and
 * no snapshot can see such a change.
 *
 * Snapshots: `snapshot()` writes the pending writes and opens a read transaction (an MVCC view);
 * the asynchronous phase reads it key group by key group while records keep writing, in the
 * canonical keyed-state format, so a checkpoint of either backend restores on the other. TTL:
 * expired values are removed when read and left out of snapshots; incremental cleanup walks the
 * stored entries between accesses. Timers stay in the heap timer queue (as with Flink's RocksDB
 * backend and heap timers).
 *
 * The store lives in a directory of its own under `localDirectory` (the system's temp dir by
 * default) and is removed by `dispose()`, or at exit when the process ends first.
 */
import { systemClock, type Clock } from "../../core/clock.ts";
import { internalError, invalidArgument } from "../../core/errors.ts";
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
import { HeapNamespacedState } from "../heap/heap-namespaced-state.ts";
import { readKeyedSnapshot, type RestoredState } from "../heap/heap-snapshot.ts";
import type { UserMap } from "../heap/heap-map-state.ts";
import { migrateStored, type Migrate } from "../heap/heap-migration.ts";
import { IncrementalCleanup, withoutExpired } from "../heap/heap-ttl.ts";
import { splitNamespacedEntryKey, namespacedEntryKey } from "../heap/namespaced-entry-key.ts";
import { askedFor, askedForNames, checkedKeyGroupRange, checkRestoredAsRegistered, checkSameState, keyGroupInRange, mergeFor, ttlOf } from "../keyed-backend-rules.ts";
import type { MaterializationPolicy } from "../changelog-chain.ts";
import type { KeyedStateBackend, KeyedStateBackendOptions } from "../keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../keyed-state-snapshot.ts";
import { migrationMissing, versionChange } from "../schema-versions.ts";
import type { InternalKvState, InternalMergingState } from "../namespaced-state.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state.ts";
import type { StateTtlConfig } from "../ttl/state-ttl-config.ts";
import { createTtlState } from "../ttl/ttl-state-factory.ts";
import { MAX_STATES } from "./disk-key.ts";
import { DiskNamespacedTable } from "./disk-namespaced-table.ts";
import { DiskChangesSnapshot, DiskSnapshot } from "./disk-snapshot.ts";
import { DiskStateTable, type DiskCursor, type DiskEntry } from "./disk-state-table.ts";
import { DiskAggregatingState, DiskListState, DiskMapState, DiskReducingState, DiskValueState } from "./disk-states.ts";
import { DiskStore } from "./disk-store.ts";

/** One state name: its table, and what a function asked for (undefined while only restored). */
interface StateEntry {
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly table: DiskStateTable<unknown>;
  state: State | undefined;
  handle: HeapNamespacedState<unknown, State> | undefined;
  ttl: StateTtlConfig | undefined;
  /** The descriptor the state was first asked for with. */
  descriptor: StateDescriptor | undefined;
  /** The schema version of the entries in `table`. */
  version: number;
  /** Restored entries of other versions, each in a table of its own, until the state is asked for and migrated. */
  older: { readonly version: number; readonly table: DiskStateTable<unknown> }[];
}

/**
 * When the disk backend's incremental chain materialises a new base. A base is a scan of the
 * whole store on the task's thread (between records), so it costs as much as the state holds,
 * while a file of changes costs as much as changed. After the heap backend's fixed 30 changes, a
 * large store was materialised without pause (the next base was due as soon as the previous one
 * was written, which took more than 30 checkpoints), and a fill slowed as the store grew. By
 * weight, a base is due once the changes since the last one outweigh half of it, so each scan is
 * paid for by as many bytes of changes and its cost per change does not grow with the state; the
 * count bounds the files a restore reads to 600, Flink's default of one base every 10 minutes at
 * one checkpoint a second.
 */
export const DISK_MATERIALIZATION_POLICY: MaterializationPolicy = { maxChanges: 600, maxChangesRatio: 0.5 };

class Cursor implements DiskCursor {
  key: unknown = undefined;
  normalized: NormalizedKey = undefined;
  keyGroup = -1;
}

export class DiskKeyedStateBackend implements KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly materializationPolicy = DISK_MATERIALIZATION_POLICY;
  private readonly store: DiskStore;
  private readonly cursor = new Cursor();
  private readonly states = new Map<string, StateEntry>();
  private readonly clock: Clock;
  private readonly operator: string | undefined;
  /** The id the next table gets (a state's older versions take ids of their own). */
  private nextStateId = 0;

  /** Whether tables track the keys written (the `changelog` option). */
  private readonly changelog: boolean;
  /** Set by a restore: the tracked changes no longer say what changed since the last `snapshotChanges`. */
  private changesLost = false;

  constructor(options: KeyedStateBackendOptions) {
    this.operator = options.operator;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = checkedKeyGroupRange(options.keyGroupRange, options.maxParallelism);
    this.clock = options.clock ?? systemClock;
    this.store = new DiskStore(options.localDirectory);
    this.changelog = options.changelog === true;
  }

  /** The directory the store lives in (removed by `dispose`). */
  get directory(): string {
    return this.store.directory;
  }

  setCurrentKey(key: unknown): void {
    const group = keyGroupInRange(key, this.keyGroupRange, this.maxParallelism);
    const cursor = this.cursor;
    cursor.key = key;
    cursor.normalized = normalizeKey(key);
    cursor.keyGroup = group;
  }

  getCurrentKey(): unknown {
    this.checkCurrentKey();
    return this.cursor.key;
  }

  getCurrentKeyGroup(): KeyGroup {
    this.checkCurrentKey();
    return asKeyGroup(this.cursor.keyGroup);
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getState(descriptor: StateDescriptor): State;
  getState(descriptor: StateDescriptor): State {
    const entry = this.entryFor(descriptor.name, descriptor.kind, false, descriptor.version);
    checkSameState(entry, descriptor, false);
    if (entry.state === undefined) {
      entry.descriptor = descriptor;
      this.bringToVersion(descriptor.name, entry);
      entry.ttl = ttlOf(descriptor);
      entry.state = this.createState(descriptor, entry.table, entry.ttl);
    }
    return entry.state;
  }

  private createState(descriptor: StateDescriptor, table: DiskStateTable<unknown>, ttl: StateTtlConfig | undefined): State {
    if (ttl === undefined) return createState(descriptor, table);
    const cleanupSize = ttl.getCleanupStrategies().incrementalCleanupSize;
    const start = this.keyGroupRange.start;
    const cleanup = cleanupSize === 0 ? undefined : new IncrementalCleanup(descriptor.kind, ttl.getTtl(), cleanupSize, {
      groups: this.keyGroupRange.end - start + 1,
      entries: (index) => table.groupEntries(start + index)[Symbol.iterator](),
      rewrite: (index, key, change) => {
        const owned = table.readOther(start + index, key);
        if (owned !== undefined) table.writeOther(start + index, key, change(owned));
      },
    });
    const context = {
      config: ttl,
      now: () => this.clock.now(),
      cleanupStep: cleanup === undefined ? () => {} : () => cleanup.step(this.clock.now()),
      readsAreCopies: true,
    };
    return createTtlState(descriptor, context, (inner) => createState(inner, table));
  }

  getNamespacedState<N, T>(descriptor: ValueStateDescriptor<T>): InternalKvState<N, ValueState<T>>;
  getNamespacedState<N, T>(descriptor: ListStateDescriptor<T>): InternalMergingState<N, ListState<T>>;
  getNamespacedState<N, K, V>(descriptor: MapStateDescriptor<K, V>): InternalKvState<N, MapState<K, V>>;
  getNamespacedState<N, T>(descriptor: ReducingStateDescriptor<T>): InternalMergingState<N, ReducingState<T>>;
  getNamespacedState<N, IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): InternalMergingState<N, AggregatingState<IN, OUT>>;
  getNamespacedState<N>(descriptor: StateDescriptor): InternalKvState<N, State>;
  getNamespacedState<N>(descriptor: StateDescriptor): InternalKvState<N, State> {
    const entry = this.entryFor(descriptor.name, descriptor.kind, true, descriptor.version);
    checkSameState(entry, descriptor, true);
    if (entry.handle === undefined) {
      entry.descriptor = descriptor;
      this.bringToVersion(descriptor.name, entry);
      const table = new DiskNamespacedTable(entry.table as DiskStateTable<Map<NormalizedKey, unknown>>);
      const state = createState(descriptor, table);
      entry.state = state;
      entry.handle = new HeapNamespacedState(state, table, mergeFor(descriptor));
    }
    return entry.handle as InternalKvState<N, State>;
  }

  /** The entry of a state name, created (with a new table, of `version`) on first sight. */
  private entryFor(name: string, kind: StateKind, namespaced: boolean, version: number): StateEntry {
    let entry = this.states.get(name);
    if (entry !== undefined) return entry;
    const table = this.newTable(name, kind, namespaced);
    if (this.changelog) table.trackChanges();
    entry = { kind, namespaced, table, state: undefined, handle: undefined, ttl: undefined, descriptor: undefined, version, older: [] };
    this.states.set(name, entry);
    return entry;
  }

  /** A table under a state id of its own. */
  private newTable(name: string, kind: StateKind, namespaced: boolean): DiskStateTable<unknown> {
    if (this.nextStateId >= MAX_STATES) throw invalidArgument(`a keyed operator can hold at most ${MAX_STATES} states (counting restored older versions) on the disk backend`);
    return new DiskStateTable<unknown>(name, this.nextStateId++, kind, namespaced, this.keyGroupRange, this.store, this.cursor);
  }

  /**
   * Brings every entry of a state its function now asks for (restored at any versions) to the
   * descriptor's version, in the table the state reads, all at once, as the heap backend does (see
   * its bringToVersion). A version the descriptor cannot migrate from is
   * WEIR_ERR_STATE_MIGRATION_MISSING, even when no entry has it. Reads are copies, so `migrate`
   * may change what it gets in place; a live snapshot reads its own view of the store.
   */
  private bringToVersion(name: string, entry: StateEntry): void {
    const descriptor = entry.descriptor!;
    const target = descriptor.version;
    const parts = [{ version: entry.version, table: entry.table }, ...entry.older];
    if (parts.every((p) => p.version === target)) return;
    for (const part of parts) {
      if (part.version !== target && versionChange(part.version, target, descriptor.migrate !== undefined) !== "migrated") {
        throw migrationMissing(this.operator, name, part.version, target);
      }
    }
    const migrate = descriptor.migrate as Migrate;
    const ttl = ttlOf(descriptor) !== undefined;
    const migrated = (stored: unknown, from: number): unknown => {
      if (!entry.namespaced) return migrateStored(entry.kind, stored, migrate, from, ttl);
      const namespaces = new Map<NormalizedKey, unknown>();
      for (const [namespace, value] of stored as Map<NormalizedKey, unknown>) {
        const now = migrateStored(entry.kind, value, migrate, from, ttl);
        if (now !== undefined) namespaces.set(namespace, now);
      }
      return namespaces.size === 0 ? undefined : namespaces;
    };
    for (let group = this.keyGroupRange.start; group <= this.keyGroupRange.end; group++) {
      for (const part of parts) {
        if (part.table === entry.table && part.version === target) continue;
        for (const [key, stored] of part.table.groupEntries(group)) entry.table.writeOther(group, key, part.version === target ? stored : migrated(stored, part.version));
      }
    }
    for (const older of entry.older) older.table.removeAll();
    // The tracked changes cover the state's table only: the next checkpoint must be a full one.
    if (this.changelog) this.changesLost = true;
    entry.version = target;
    entry.older = [];
  }

  snapshot(): KeyedStateSnapshot {
    const now = this.clock.now();
    const states: { table: DiskStateTable<unknown>; version: number; filter: ((stored: unknown) => unknown) | undefined }[] = [];
    for (const { table, ttl, version, older } of this.states.values()) {
      const span = ttl?.getTtl();
      states.push({ table, version, filter: span === undefined ? undefined : (stored: unknown) => withoutExpired(table.kind, stored, span, now) });
      for (const part of older) states.push({ table: part.table, version: part.version, filter: undefined });
    }
    return new DiskSnapshot(this.keyGroupRange, this.maxParallelism, states, this.store.view());
  }

  snapshotChanges(): KeyedStateSnapshot | undefined {
    if (!this.changelog) throw internalError("snapshotChanges() needs a backend created with the changelog option");
    const now = this.clock.now();
    const states = [...this.states.values()].map(({ table, ttl, version }) => {
      const span = ttl?.getTtl();
      return { table, version, changes: table.takeChanges(), filter: span === undefined ? undefined : (stored: unknown) => withoutExpired(table.kind, stored, span, now) };
    });
    if (this.changesLost) {
      this.changesLost = false;
      return undefined;
    }
    return new DiskChangesSnapshot(this.keyGroupRange, this.maxParallelism, states);
  }

  /**
   * Loads snapshots (of any backend, parallelism and max parallelism): only key groups in this
   * backend's range are kept, and entries already stored in those groups are replaced.
   */
  restore(snapshots: Iterable<Uint8Array>, from?: readonly string[]): void {
    this.changesLost = true;
    const incoming = new Map<string, RestoredState>();
    let i = 0;
    for (const bytes of snapshots) readKeyedSnapshot(bytes, this.keyGroupRange, incoming, this.maxParallelism, from?.[i++]);
    for (const [name, restored] of incoming) {
      const known = this.states.get(name);
      if (known !== undefined) checkRestoredAsRegistered(name, known, restored);
      const entry = this.entryFor(name, restored.kind, restored.namespaced, Math.max(...restored.versions.keys()));
      for (const older of entry.older) older.table.removeAll();
      entry.older = [];
      for (const [version, groups] of restored.versions) {
        let table = entry.table;
        if (version !== entry.version) entry.older.push({ version, table: (table = this.newTable(name, entry.kind, entry.namespaced)) });
        for (const [group, entries] of groups) table.load(group, restored.namespaced ? byKey(entries) : entries);
      }
      if (entry.descriptor !== undefined) this.bringToVersion(name, entry);
    }
    this.store.flush();
  }

  stateNames(): string[] {
    return askedForNames(this.states);
  }

  stateNamesWithEntries(): string[] {
    const names: string[] = [];
    for (const [name, entry] of this.states) if (entry.table.hasEntries() || entry.older.some((part) => part.table.hasEntries())) names.push(name);
    return names;
  }

  registeredState(stateName: string): { readonly descriptor: StateDescriptor; readonly namespaced: boolean } | undefined {
    const entry = this.states.get(stateName);
    return entry?.descriptor === undefined ? undefined : { descriptor: entry.descriptor, namespaced: entry.namespaced };
  }

  stateKind(stateName: string): StateKind | undefined {
    const entry = this.states.get(stateName);
    return entry?.state === undefined ? undefined : entry.kind;
  }

  /** The entries of one key group, read when called, in the heap backend's stored forms (namespaced: per (key, namespace) under namespacedEntryKey). */
  keyGroupEntries(stateName: string, keyGroup: number): IterableIterator<[NormalizedKey, unknown]> {
    const table = this.table(stateName);
    const entries = table.groupEntries(keyGroup);
    if (!table.namespaced) return entries[Symbol.iterator]();
    const flat: [NormalizedKey, unknown][] = [];
    for (const [key, namespaces] of entries) for (const [namespace, value] of namespaces as Map<NormalizedKey, unknown>) flat.push([namespacedEntryKey(key, namespace), value]);
    return flat[Symbol.iterator]();
  }

  numKeys(stateName: string): number {
    const table = this.table(stateName);
    if (!table.namespaced) return table.countKeys();
    let n = 0;
    for (let group = this.keyGroupRange.start; group <= this.keyGroupRange.end; group++) for (const [, namespaces] of table.groupEntries(group)) n += (namespaces as Map<unknown, unknown>).size;
    return n;
  }

  /** Closes the store and removes its directory; the backend cannot be used afterwards. Idempotent. */
  dispose(): void {
    this.store.close();
  }

  private table(stateName: string): DiskStateTable<unknown> {
    return askedFor(this.states, stateName).table;
  }

  private checkCurrentKey(): void {
    if (this.cursor.keyGroup < 0) throw internalError("no current key is set");
  }
}

function createState(descriptor: StateDescriptor, entry: DiskEntry<unknown>): State {
  switch (descriptor.kind) {
    case "value":
      return new DiskValueState(entry);
    case "list":
      return new DiskListState(entry as DiskEntry<unknown[]>);
    case "map":
      return new DiskMapState(entry as DiskEntry<UserMap<unknown, unknown>>);
    case "reducing":
      return new DiskReducingState(entry, descriptor.reduce);
    case "aggregating":
      return new DiskAggregatingState(entry, descriptor.aggregate);
  }
}

/** Restored (key, namespace) entries as one namespace map per key. */
function byKey(entries: Iterable<readonly [NormalizedKey, unknown]>): [NormalizedKey, Map<NormalizedKey, unknown>][] {
  const keys = new Map<NormalizedKey, Map<NormalizedKey, unknown>>();
  for (const [entryKey, value] of entries) {
    const [key, namespace] = splitNamespacedEntryKey(entryKey);
    let namespaces = keys.get(key);
    if (namespaces === undefined) keys.set(key, (namespaces = new Map()));
    namespaces.set(namespace, value);
  }
  return [...keys];
}
