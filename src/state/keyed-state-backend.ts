/**
 * The keyed state backend contract: it holds every keyed state of one operator subtask, for the
 * key groups of that subtask's range, and serves it for one current key at a time.
 *
 * Guarantees every implementation gives (test/state/keyed-state-backend-conformance.ts checks them):
 * - state objects read and write the value of the current key only;
 * - `getState` returns the same object for the same name, and refuses one name with two kinds;
 * - entries are stored per key group, and clearing a key's state leaves no entry behind, so
 *   `numKeys` and `keyGroupEntries` see only keys that hold a value;
 * - a value taken from state (`ValueState.value()`, list elements, map values, a reducing or
 *   aggregating state's value) may be changed in place by the function that took it, during the
 *   call it took it in, and written back or not: the change is never a snapshot's. Whether it is
 *   the state's before it is written back is the backend's to say: on the heap it is (reads hand
 *   out the stored objects); on disk it is not (every read decodes a copy, as in Flink's RocksDB
 *   backend), so code meant for both writes back what it changes;
 * - a snapshot shows the state as it was when `snapshot()` returned, however the state, and the
 *   values taken from it, change while it (or any other live snapshot) is written, and whatever
 *   order snapshots are released in; state restored but asked for only later is no exception.
 *   Restoring it (into a backend of any key-group range) gives back exactly the keys of that
 *   range (test/state/keyed-state-snapshot-conformance.ts checks it);
 * - a snapshot records the schema version of each state (see descriptors.ts); restored state of
 *   an older version is migrated, all of it, when its state is asked for, and never written to a
 *   snapshot as if it were of the new version; a version the descriptor cannot migrate from is
 *   refused with WEIR_ERR_STATE_MIGRATION_MISSING when the state is asked for.
 *
 * Implementations are chosen by name through the registry in state-backends.ts.
 */
import type { Clock } from "../core/clock.ts";
import type { KeyGroupRange, NormalizedKey } from "../core/key-groups.ts";
import type { KeyGroup } from "../core/ids.ts";
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  StateKind,
  ValueStateDescriptor,
} from "./descriptors.ts";
import type { MaterializationPolicy } from "./changelog-chain.ts";
import type { KeyedStateSnapshot } from "./keyed-state-snapshot.ts";
import type { InternalKvState, InternalMergingState } from "./namespaced-state.ts";
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from "./state.ts";

/** What a backend is created with. */
export interface KeyedStateBackendOptions {
  /** The key groups the backend holds; keys of other groups are refused. */
  readonly keyGroupRange: KeyGroupRange;
  /** The job's number of key groups. */
  readonly maxParallelism: number;
  /** The processing-time clock state TTL runs on; the system clock when absent. */
  readonly clock?: Clock;
  /** The operator's uid (or derived id), named in errors about its state. */
  readonly operator?: string;
  /** Where a backend that keeps files makes its working directory; the system's temp dir when absent. */
  readonly localDirectory?: string | undefined;
  /**
   * Keep a changelog: remember which keys change between snapshots, so that `snapshotChanges`
   * can write only them (incremental checkpoints). Off by default: tracking costs every write a little.
   */
  readonly changelog?: boolean;
}

export interface KeyedStateBackend {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;

  /**
   * Makes `key` the key every state object reads and writes. A key whose key group lies outside
   * this backend's range is routed to the wrong subtask: WEIR_ERR_INTERNAL.
   */
  setCurrentKey(key: unknown): void;
  /** The key last given to `setCurrentKey`, as given. WEIR_ERR_INTERNAL before any. */
  getCurrentKey(): unknown;
  /** The current key's key group. WEIR_ERR_INTERNAL before any key was set. */
  getCurrentKeyGroup(): KeyGroup;

  /**
   * The state named by `descriptor`, created on first request. Later requests for that name return
   * the same object (the first descriptor's functions are kept); a request for it as another kind
   * throws WEIR_ERR_STATE_CONFLICT.
   */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getState(descriptor: StateDescriptor): State;

  /**
   * For internal operators (windows): the state named by `descriptor` with one value per (key,
   * namespace), created on first request; later requests return the same handle. A name is either
   * namespaced or not: asking for a `getState` name here, or the other way round, or as another
   * kind, throws WEIR_ERR_STATE_CONFLICT. Namespaced entries are copied on write against live
   * snapshots, snapshotted and restored per key group like any other state; `numKeys` and
   * `keyGroupEntries` count and list (key, namespace) entries.
   */
  getNamespacedState<N, T>(descriptor: ValueStateDescriptor<T>): InternalKvState<N, ValueState<T>>;
  getNamespacedState<N, T>(descriptor: ListStateDescriptor<T>): InternalMergingState<N, ListState<T>>;
  getNamespacedState<N, K, V>(descriptor: MapStateDescriptor<K, V>): InternalKvState<N, MapState<K, V>>;
  getNamespacedState<N, T>(descriptor: ReducingStateDescriptor<T>): InternalMergingState<N, ReducingState<T>>;
  getNamespacedState<N, IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): InternalMergingState<N, AggregatingState<IN, OUT>>;
  getNamespacedState<N>(descriptor: StateDescriptor): InternalKvState<N, State>;

  /** Names of the registered states, in registration order. */
  stateNames(): string[];
  /** The kind a state name was registered as, or undefined for an unknown name. */
  stateKind(stateName: string): StateKind | undefined;
  /**
   * The descriptor a state was first asked for with (by `getState` or `getNamespacedState`), and
   * whether it is namespaced; undefined for a name never asked for.
   */
  registeredState(stateName: string): { readonly descriptor: StateDescriptor; readonly namespaced: boolean } | undefined;
  /**
   * The keys of one key group that hold a value of `stateName`, each with that value in the
   * backend's stored form (see the implementation). A live view: it must not be written through,
   * and state must not be written while it is iterated. Unknown names and key groups outside the
   * range are WEIR_ERR_INTERNAL.
   */
  keyGroupEntries(stateName: string, keyGroup: number): IterableIterator<[NormalizedKey, unknown]>;
  /**
   * The names of the states that hold at least one entry, whether asked for or only restored: an
   * operator finds here what a checkpoint holds that it will not ask for (state of another layout).
   */
  stateNamesWithEntries(): string[];
  /** How many keys hold a value of `stateName`, over all key groups. */
  numKeys(stateName: string): number;

  /** A consistent view of all state, cheap to take; it is written out step by step, then released. */
  snapshot(): KeyedStateSnapshot;
  /**
   * With the `changelog` option (backends that support it define this): a snapshot of the changes
   * since the previous call, or since the backend was created, taken as cheaply and with the same
   * guarantee as `snapshot()`. Its bytes, restored in order after the snapshots before them
   * (a full snapshot, then the changes since it), give the state as of this call. Undefined when
   * the backend cannot tell what changed since the previous call (its state was restored or
   * migrated meanwhile): a chain of changes must then start again from a full snapshot taken at
   * the same moment. Each call starts a new interval, whether its snapshot is written or not.
   */
  snapshotChanges?(): KeyedStateSnapshot | undefined;
  /**
   * When the incremental chain of this backend materialises a new base (a full snapshot written in
   * the background); DEFAULT_MATERIALIZATION_POLICY when absent. A backend whose full snapshot
   * costs much more than its changes (a scan of a store on disk) spaces its bases further apart.
   */
  readonly materializationPolicy?: MaterializationPolicy;
  /**
   * Loads written snapshots, keeping the key groups of this backend's range. Snapshots written at
   * another parallelism or max parallelism are accepted: entries go to the key group their key
   * has at this backend's max parallelism. `from` names each snapshot (its file) in errors, by
   * position.
   */
  restore(snapshots: Iterable<Uint8Array>, from?: readonly string[]): void;
  /**
   * Releases what the backend holds besides JavaScript objects (files, a store); called when its
   * task ends, after every snapshot was written or released. The backend is unusable afterwards.
   * Idempotent.
   */
  dispose(): void;
}
