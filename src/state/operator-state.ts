/**
 * Operator state (Flink's non-keyed state): state of one parallel instance of an operator, not of
 * a key. A function reaches it through the operator state store its `initializeState` context
 * gives (see CheckpointedFunction), and broadcast state through the contexts of broadcast process
 * functions.
 */
import type { ListStateDescriptor, MapStateDescriptor } from "./descriptors.ts";
import type { ListState } from "./state.ts";

/** Broadcast state as every function may read it: the same contents on every parallel instance. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  /** The entries, read-only. */
  immutableEntries(): IterableIterator<[K, V]>;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
}

/** Broadcast state where it may be written: on the broadcast side of a broadcast process function. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  clear(): void;
}

export interface OperatorStateStore {
  /**
   * List state redistributed by even split when parallelism changes: the elements of all
   * instances, in instance order, are cut into contiguous parts of (nearly) equal size.
   */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** List state every instance gets in full on restore: the elements of all instances, in instance order. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Map state with the same contents on every instance, which only a broadcast input should write. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
  getRegisteredStateNames(): Set<string>;
  getRegisteredBroadcastStateNames(): Set<string>;
}
