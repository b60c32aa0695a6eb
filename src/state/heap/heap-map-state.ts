/**
 * Map state on the heap: stores, per key, a non-empty map from the normalized user key to the
 * user key as given and its value. User keys therefore compare by `normalizeKey` (composite keys
 * with equal content are one key) while `keys()` and `entries()` give back the key first put.
 * Removing the last user key removes the key's entry.
 */
import { normalizeKey, type NormalizedKey } from "../../core/key-groups.ts";
import type { MapState } from "../state.ts";
import type { StateTable } from "./state-table.ts";

/** One user-key mapping as stored; `key` is the user key as first put. */
export class UserMapEntry<K, V> {
  constructor(
    readonly key: K,
    public value: V,
  ) {}
}

export type UserMap<K, V> = Map<NormalizedKey, UserMapEntry<K, V>>;

function copyUserMap<K, V>(map: UserMap<K, V>): UserMap<K, V> {
  const copy: UserMap<K, V> = new Map();
  for (const [k, e] of map) copy.set(k, new UserMapEntry(e.key, e.value));
  return copy;
}

export class HeapMapState<K, V> implements MapState<K, V> {
  constructor(private readonly table: StateTable<UserMap<K, V>>) {}

  get(key: K): V | undefined {
    return this.table.get()?.get(normalizeKey(key))?.value;
  }

  put(key: K, value: V): void {
    const normalized = normalizeKey(key);
    const map = this.table.getMutable(copyUserMap);
    if (map === undefined) {
      this.table.put(new Map([[normalized, new UserMapEntry(key, value)]]));
      return;
    }
    const entry = map.get(normalized);
    if (entry === undefined) map.set(normalized, new UserMapEntry(key, value));
    else entry.value = value;
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [key, value] of entries) this.put(key, value);
  }

  remove(key: K): void {
    const map = this.table.getMutable(copyUserMap);
    if (map === undefined) return;
    map.delete(normalizeKey(key));
    if (map.size === 0) this.table.remove();
  }

  contains(key: K): boolean {
    return this.table.get()?.has(normalizeKey(key)) ?? false;
  }

  *entries(): IterableIterator<[K, V]> {
    const map = this.table.get();
    if (map !== undefined) for (const entry of map.values()) yield [entry.key, entry.value];
  }

  *keys(): IterableIterator<K> {
    const map = this.table.get();
    if (map !== undefined) for (const entry of map.values()) yield entry.key;
  }

  *values(): IterableIterator<V> {
    const map = this.table.get();
    if (map !== undefined) for (const entry of map.values()) yield entry.value;
  }

  isEmpty(): boolean {
    return this.table.get() === undefined;
  }

  clear(): void {
    this.table.remove();
  }
}
