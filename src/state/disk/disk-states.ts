/**
 * The state kinds of the disk backend, over one entry (DiskEntry: the current key's, or the
 * current key's in the current namespace). Every read is a new copy of the stored value and every
 * change is written back whole, as Flink's RocksDB backend does: a value taken from state and
 * changed in place changes the state only when it is written back (`update`, `put`, `add`).
 * Stored forms are the heap backend's (see HeapKeyedStateBackend); a list or map that becomes
 * empty has no entry, and an undefined reduced value or accumulator counts as none.
 */
import { normalizeKey } from "../../core/key-groups.ts";
import type { AggregateFunction, ReduceFn } from "../descriptors.ts";
import { UserMapEntry, type UserMap } from "../heap/heap-map-state.ts";
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from "../state.ts";
import type { DiskEntry } from "./disk-state-table.ts";

export class DiskValueState<T> implements ValueState<T> {
  constructor(private readonly entry: DiskEntry<T>) {}

  value(): T | undefined {
    return this.entry.read();
  }

  update(value: T): void {
    this.entry.write(value);
  }

  clear(): void {
    this.entry.write(undefined);
  }
}

export class DiskListState<T> implements ListState<T> {
  constructor(private readonly entry: DiskEntry<T[]>) {}

  get(): readonly T[] {
    return this.entry.read() ?? [];
  }

  add(value: T): void {
    const list = this.entry.read();
    if (list === undefined) this.entry.write([value]);
    else {
      list.push(value);
      this.entry.write(list);
    }
  }

  addAll(values: Iterable<T>): void {
    const added = Array.from(values);
    if (added.length === 0) return;
    const list = this.entry.read();
    if (list === undefined) this.entry.write(added);
    else {
      for (const value of added) list.push(value);
      this.entry.write(list);
    }
  }

  update(values: Iterable<T>): void {
    const list = Array.from(values);
    this.entry.write(list.length > 0 ? list : undefined);
  }

  clear(): void {
    this.entry.write(undefined);
  }
}

export class DiskMapState<K, V> implements MapState<K, V> {
  constructor(private readonly entry: DiskEntry<UserMap<K, V>>) {}

  get(key: K): V | undefined {
    return this.entry.read()?.get(normalizeKey(key))?.value;
  }

  put(key: K, value: V): void {
    const map = this.entry.read() ?? new Map();
    const normalized = normalizeKey(key);
    const entry = map.get(normalized);
    if (entry === undefined) map.set(normalized, new UserMapEntry(key, value));
    else entry.value = value;
    this.entry.write(map);
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    const map = this.entry.read() ?? new Map();
    for (const [key, value] of entries) {
      const normalized = normalizeKey(key);
      const entry = map.get(normalized);
      if (entry === undefined) map.set(normalized, new UserMapEntry(key, value));
      else entry.value = value;
    }
    this.entry.write(map.size > 0 ? map : undefined);
  }

  remove(key: K): void {
    const map = this.entry.read();
    if (map === undefined || !map.delete(normalizeKey(key))) return;
    this.entry.write(map.size > 0 ? map : undefined);
  }

  contains(key: K): boolean {
    return this.entry.read()?.has(normalizeKey(key)) ?? false;
  }

  *entries(): IterableIterator<[K, V]> {
    const map = this.entry.read();
    if (map !== undefined) for (const entry of map.values()) yield [entry.key, entry.value];
  }

  *keys(): IterableIterator<K> {
    const map = this.entry.read();
    if (map !== undefined) for (const entry of map.values()) yield entry.key;
  }

  *values(): IterableIterator<V> {
    const map = this.entry.read();
    if (map !== undefined) for (const entry of map.values()) yield entry.value;
  }

  isEmpty(): boolean {
    return this.entry.read() === undefined;
  }

  clear(): void {
    this.entry.write(undefined);
  }
}

export class DiskReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly entry: DiskEntry<T>,
    private readonly reduce: ReduceFn<T>,
  ) {}

  get(): T | undefined {
    return this.entry.read();
  }

  add(value: T): void {
    const accumulated = this.entry.read();
    this.entry.write(accumulated === undefined ? value : this.reduce(accumulated, value));
  }

  /** Replaces the stored value (Flink's InternalAppendingState.updateInternal). */
  updateInternal(value: T | undefined): void {
    this.entry.write(value);
  }

  clear(): void {
    this.entry.write(undefined);
  }
}

export class DiskAggregatingState<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  constructor(
    private readonly entry: DiskEntry<ACC>,
    private readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {}

  get(): OUT | undefined {
    const accumulator = this.entry.read();
    return accumulator === undefined ? undefined : this.aggregate.getResult(accumulator);
  }

  add(value: IN): void {
    const accumulator = this.entry.read();
    this.entry.write(this.aggregate.add(value, accumulator === undefined ? this.aggregate.createAccumulator() : accumulator));
  }

  /** Replaces the stored accumulator (Flink's InternalAppendingState.updateInternal). */
  updateInternal(accumulator: ACC | undefined): void {
    this.entry.write(accumulator);
  }

  clear(): void {
    this.entry.write(undefined);
  }
}
