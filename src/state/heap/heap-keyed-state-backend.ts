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
 * string; a value-state read or write is an array read and one `Map` operation.
 */
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
  ValueStateDescriptor,
} from "../descriptors.ts";
import type { KeyedStateBackend, StateKind } from "../keyed-state-backend.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "../state.ts";
import { CurrentKey } from "./current-key.ts";
import { HeapAggregatingState } from "./heap-aggregating-state.ts";
import { HeapListState } from "./heap-list-state.ts";
import { HeapMapState, type UserMap } from "./heap-map-state.ts";
import { HeapReducingState } from "./heap-reducing-state.ts";
import { HeapValueState } from "./heap-value-state.ts";
import { HeapSnapshot, readKeyedSnapshot, type FrozenState, type KeyedStateSnapshot, type RestoredState } from "./heap-snapshot.ts";
import { StateTable } from "./state-table.ts";

export interface HeapKeyedStateBackendOptions {
  /** The key groups this backend holds; keys of other groups are refused. */
  readonly keyGroupRange: KeyGroupRange;
  /** The job's number of key groups. */
  readonly maxParallelism: number;
}

interface RegisteredState {
  readonly kind: StateKind;
  readonly table: StateTable<unknown>;
  readonly state: State;
}

export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  private readonly start: number;
  private readonly end: number;
  private readonly current = new CurrentKey();
  private readonly states = new Map<string, RegisteredState>();
  /** Restored state not yet asked for by a function; it is loaded on first `getState`, and kept in snapshots until then. */
  private readonly restored = new Map<string, RestoredState>();

  constructor(options: HeapKeyedStateBackendOptions) {
    const { keyGroupRange: range, maxParallelism } = options;
    checkMaxParallelism(maxParallelism);
    if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.start > range.end || range.end >= maxParallelism) {
      throw invalidArgument(`key-group range ${range.start}..${range.end} is not a non-empty range within 0..${maxParallelism - 1}`);
    }
    this.keyGroupRange = { start: range.start, end: range.end };
    this.maxParallelism = maxParallelism;
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
    const registered = this.states.get(descriptor.name);
    if (registered !== undefined) {
      if (registered.kind !== descriptor.kind) {
        throw new WeirError(
          "WEIR_ERR_STATE_CONFLICT",
          `state '${descriptor.name}' is registered as ${registered.kind} state and cannot also be ${descriptor.kind} state`,
        );
      }
      return registered.state;
    }
    const restored = this.restored.get(descriptor.name);
    if (restored !== undefined && restored.kind !== descriptor.kind) {
      throw new WeirError(
        "WEIR_ERR_STATE_CONFLICT",
        `state '${descriptor.name}' was restored as ${restored.kind} state and cannot be read as ${descriptor.kind} state`,
      );
    }
    const table = new StateTable<unknown>(descriptor.name, this.keyGroupRange, this.current);
    if (restored !== undefined) {
      for (const [group, entries] of restored.groups) table.load(group, entries);
      this.restored.delete(descriptor.name);
    }
    const state = createState(descriptor, table);
    this.states.set(descriptor.name, { kind: descriptor.kind, table, state });
    return state;
  }

  /**
   * Freezes all state in O(key groups) for a snapshot; writing it out can then proceed step by
   * step while records keep changing the live state (copy-on-write).
   */
  snapshot(): KeyedStateSnapshot {
    const frozen: FrozenState[] = [];
    for (const [name, registered] of this.states) {
      const table = registered.table;
      frozen.push({ name, kind: registered.kind, maps: table.freeze(), release: (index) => table.release(index) });
    }
    for (const [name, restored] of this.restored) {
      const maps = Array.from({ length: this.end - this.start + 1 }, (_, i) => {
        const entries = restored.groups.get(this.start + i);
        return entries === undefined ? undefined : new Map(entries);
      });
      frozen.push({ name, kind: restored.kind, maps });
    }
    return new HeapSnapshot(this.keyGroupRange, this.maxParallelism, frozen);
  }

  /**
   * Loads snapshots (of any parallelism) before the state is used: only key groups in this
   * backend's range are kept. State already registered is replaced group by group.
   */
  restore(snapshots: Iterable<Uint8Array>): void {
    const incoming = new Map<string, RestoredState>();
    for (const bytes of snapshots) readKeyedSnapshot(bytes, this.keyGroupRange, incoming);
    for (const [name, restored] of incoming) {
      const registered = this.states.get(name);
      if (registered === undefined) {
        this.restored.set(name, restored);
        continue;
      }
      if (registered.kind !== restored.kind) {
        throw new WeirError("WEIR_ERR_STATE_CONFLICT", `state '${name}' is registered as ${registered.kind} state but was restored as ${restored.kind} state`);
      }
      for (const [group, entries] of restored.groups) registered.table.load(group, entries);
    }
  }

  stateNames(): string[] {
    return [...this.states.keys()];
  }

  stateKind(stateName: string): StateKind | undefined {
    return this.states.get(stateName)?.kind;
  }

  keyGroupEntries(stateName: string, keyGroup: number): IterableIterator<[NormalizedKey, unknown]> {
    return this.table(stateName).entries(keyGroup);
  }

  numKeys(stateName: string): number {
    return this.table(stateName).size();
  }

  private table(stateName: string): StateTable<unknown> {
    const registered = this.states.get(stateName);
    if (registered === undefined) throw internalError(`no state named '${stateName}' is registered`);
    return registered.table;
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

function describeKey(key: unknown): string {
  const text = typeof key === "string" ? JSON.stringify(key) : typeof key === "bigint" ? `${key}n` : String(normalizeKey(key));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
