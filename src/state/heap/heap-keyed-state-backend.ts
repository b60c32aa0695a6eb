/**
 * The heap keyed state backend: every keyed state of one subtask in JavaScript maps, one map per
 * key group of the subtask's range (see StateTable), so snapshots and rescaling can take state key
 * group by key group.
 *
 * Stored forms seen through `keyGroupEntries`, per kind: value — the value; list — the non-empty
 * element array; map — a non-empty `Map` from normalized user key to `UserMapEntry` (user key as
 * put, value); reducing — the reduced value; aggregating — the accumulator.
 *
 * TTL (a descriptor with `enableTimeToLive`): the state is the TTL layer of state/ttl over the
 * heap state of the same kind, on the backend's clock; snapshots leave expired values out (as of
 * the time `snapshot()` is called), and incremental cleanup walks the table between accesses.
 *
 * Access costs: `setCurrentKey` hashes the key and, for composite keys only, builds its canonical
 * string; a value-state read or write is an array read and one `Map` operation, plus, while a
 * snapshot holds the key's group, the copy-on-write bookkeeping StateTable describes.
 */
import { systemClock, type Clock } from "../../core/clock.ts";
import { WeirError, internalError, invalidArgument } from "../../core/errors.ts";
import { keyGroup as asKeyGroup, type KeyGroup } from "../../core/ids.ts";
import {
  assignToKeyGroup,
  checkMaxParallelism,
  normalizeKey,
  type KeyGroupRange,
  type NormalizedKey,
} from "../../core/key-groups.ts";
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
import { CurrentKey } from "./current-key.ts";
import { HeapAggregatingState } from "./heap-aggregating-state.ts";
import { HeapListState } from "./heap-list-state.ts";
import { HeapMapState, type UserMap } from "./heap-map-state.ts";
import { HeapReducingState } from "./heap-reducing-state.ts";
import { HeapValueState } from "./heap-value-state.ts";
import { HeapSnapshot, readKeyedSnapshot, type FrozenState, type RestoredState } from "./heap-snapshot.ts";
import { StateTable } from "./state-table.ts";
import { createTtlState } from "../ttl/ttl-state-factory.ts";
import type { StateTtlConfig } from "../ttl/state-ttl-config.ts";
import { IncrementalCleanup, withoutExpired } from "./heap-ttl.ts";

export type HeapKeyedStateBackendOptions = KeyedStateBackendOptions;

/**
 * One state's table. `state` is what a function asked for; a state restored but not asked for yet
 * has none, and its table is frozen and copied-on-write like any other, so a function that asks
 * for it late (on the first record after a restore, say) shares nothing with a live snapshot.
 */
interface TableEntry {
  readonly kind: StateKind;
  readonly table: StateTable<unknown>;
  state: State | undefined;
  /** The TTL the state was asked for with, if any. */
  ttl: StateTtlConfig | undefined;
}

export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  private readonly start: number;
  private readonly end: number;
  private readonly current = new CurrentKey();
  private readonly clock: Clock;
  /** Every state's table, requested or restored, in the order they were first seen. */
  private readonly tables = new Map<string, TableEntry>();

  constructor(options: HeapKeyedStateBackendOptions) {
    const { keyGroupRange: range, maxParallelism } = options;
    checkMaxParallelism(maxParallelism);
    if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.start > range.end || range.end >= maxParallelism) {
      throw invalidArgument(`key-group range ${range.start}..${range.end} is not a non-empty range within 0..${maxParallelism - 1}`);
    }
    this.keyGroupRange = { start: range.start, end: range.end };
    this.maxParallelism = maxParallelism;
    this.clock = options.clock ?? systemClock;
    this.start = range.start;
    this.end = range.end;
  }

  setCurrentKey(key: unknown): void {
    const group = assignToKeyGroup(key, this.maxParallelism);
    if (group < this.start || group > this.end) {
      throw internalError(`key ${describeKey(key)} belongs to key group ${group}, outside this subtask's key-group range ${this.start}..${this.end}`);
    }
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
      const table = new StateTable<unknown>(descriptor.name, this.keyGroupRange, this.current);
      const ttl = ttlOf(descriptor);
      this.tables.set(descriptor.name, { kind: descriptor.kind, table, state: this.createState(descriptor, table, ttl), ttl });
      return this.tables.get(descriptor.name)!.state!;
    }
    if (entry.kind !== descriptor.kind) {
      const how = entry.state === undefined ? "was restored as" : "is registered as";
      throw new WeirError("WEIR_ERR_STATE_CONFLICT", `state '${descriptor.name}' ${how} ${entry.kind} state and cannot also be ${descriptor.kind} state`);
    }
    if (entry.state === undefined) {
      entry.ttl = ttlOf(descriptor);
      entry.state = this.createState(descriptor, entry.table, entry.ttl);
    }
    return entry.state;
  }

  private createState(descriptor: StateDescriptor, table: StateTable<unknown>, ttl: StateTtlConfig | undefined): State {
    if (ttl === undefined) return createState(descriptor, table);
    const cleanupSize = ttl.getCleanupStrategies().incrementalCleanupSize;
    const cleanup = cleanupSize === 0 ? undefined : new IncrementalCleanup(descriptor.kind, ttl.getTtl(), cleanupSize, {
      groups: this.end - this.start + 1,
      entries: (index) => table.entries(this.start + index),
      write: (index, key, value) => this.writeOtherKey(table, index, key, value),
    });
    const context = {
      config: ttl,
      now: () => this.clock.now(),
      cleanupStep: cleanup === undefined ? () => {} : () => cleanup.step(this.clock.now()),
    };
    return createTtlState(descriptor, context, (inner) => createState(inner, table));
  }

  /** Writes an entry of a key that is not (necessarily) the current one, which is kept. */
  private writeOtherKey(table: StateTable<unknown>, index: number, key: NormalizedKey, value: unknown): void {
    const current = this.current;
    const { key: userKey, normalized, keyGroup, index: currentIndex } = current;
    current.normalized = key;
    current.index = index;
    current.keyGroup = this.start + index;
    try {
      table.set(value);
    } finally {
      current.key = userKey;
      current.normalized = normalized;
      current.keyGroup = keyGroup;
      current.index = currentIndex;
    }
  }

  /**
   * Freezes all state in O(states × key groups) for a snapshot; writing it out can then proceed
   * step by step while records keep changing the live state (copy-on-write per entry).
   */
  snapshot(): KeyedStateSnapshot {
    const frozen: FrozenState[] = [];
    const now = this.clock.now();
    for (const [name, entry] of this.tables) {
      const ttl = entry.ttl?.getTtl();
      const kind = entry.kind;
      const filter = ttl === undefined ? undefined : (stored: unknown) => withoutExpired(kind, stored, ttl, now);
      frozen.push({ name, kind, table: entry.table.freeze(), filter });
    }
    return new HeapSnapshot(this.keyGroupRange, this.maxParallelism, frozen);
  }

  /**
   * Loads snapshots (of any parallelism) before the state is used and before any snapshot is
   * taken: only key groups in this backend's range are kept. State already present is replaced
   * group by group.
   */
  restore(snapshots: Iterable<Uint8Array>): void {
    const incoming = new Map<string, RestoredState>();
    for (const bytes of snapshots) readKeyedSnapshot(bytes, this.keyGroupRange, incoming);
    for (const [name, restored] of incoming) {
      let entry = this.tables.get(name);
      if (entry === undefined) {
        entry = { kind: restored.kind, table: new StateTable<unknown>(name, this.keyGroupRange, this.current), state: undefined, ttl: undefined };
        this.tables.set(name, entry);
      } else if (entry.kind !== restored.kind) {
        throw new WeirError("WEIR_ERR_STATE_CONFLICT", `state '${name}' is registered as ${entry.kind} state but was restored as ${restored.kind} state`);
      }
      for (const [group, entries] of restored.groups) entry.table.load(group, entries);
    }
  }

  stateNames(): string[] {
    const names: string[] = [];
    for (const [name, entry] of this.tables) if (entry.state !== undefined) names.push(name);
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

  private table(stateName: string): StateTable<unknown> {
    const entry = this.tables.get(stateName);
    if (entry?.state === undefined) throw internalError(`no state named '${stateName}' is registered`);
    return entry.table;
  }

  private checkCurrentKey(): void {
    if (this.current.index < 0) throw internalError("no current key is set");
  }
}

function createState(descriptor: StateDescriptor, table: StateTable<unknown>): State {
  switch (descriptor.kind) {
    case "value":
      return new HeapValueState(table);
    case "list":
      return new HeapListState(table as StateTable<unknown[]>);
    case "map":
      return new HeapMapState(table as StateTable<UserMap<unknown, unknown>>);
    case "reducing":
      return new HeapReducingState(table, descriptor.reduce);
    case "aggregating":
      return new HeapAggregatingState(table, descriptor.aggregate);
  }
}

function ttlOf(descriptor: StateDescriptor): StateTtlConfig | undefined {
  const config = descriptor.ttlConfig;
  return config?.isEnabled() === true ? config : undefined;
}

function describeKey(key: unknown): string {
  const text = typeof key === "string" ? JSON.stringify(key) : typeof key === "bigint" ? `${key}n` : String(normalizeKey(key));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
