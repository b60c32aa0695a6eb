/**
 * Map state on the heap: stores, per key, a non-empty map from the normalized user key to the
 * user key as given and its value. User keys therefore compare by `normalizeKey` (composite keys
 * with equal content are one key) while `keys()` and `entries()` give back the key first put.
 * Removing the last user key removes the key's entry. Values (and keys) handed out may be
 * changed in place: everything that hands out an object or changes the stored map reads it
 * through CurrentEntry.getForChange, so no live snapshot sees such changes; reading a primitive
 * value, `contains` and `isEmpty` copy nothing.
 */
import { normalizeKey, type NormalizedKey } from "../../core/key-groups.ts";
import type { MapState } from "../state.ts";
import type { CurrentEntry } from "./state-table.ts";

/** One user-key mapping as stored; `key` is the user key as first put. */
export class UserMapEntry<K, V> {
  constructor(
    readonly key: K,
    public value: V,
  ) {}
}

export type UserMap<K, V> = Map<NormalizedKey, UserMapEntry<K, V>>;

export class HeapMapState<K, V> implements MapState<K, V> {
  constructor(private readonly table: CurrentEntry<UserMap<K, V>>) {}

  get(key: K): V | undefined {
    const normalized = normalizeKey(key);
    const value = this.table.get()?.get(normalized)?.value;
    if (typeof value !== "object" || value === null) return value;
    return this.table.getForChange()!.get(normalized)!.value;
  }

  put(key: K, value: V): void {
    const normalized = normalizeKey(key);
    const map = this.table.getForChange();
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
    const map = this.table.getForChange();
    if (map === undefined) return;
    map.delete(normalizeKey(key));
    if (map.size === 0) this.table.remove();
  }

  contains(key: K): boolean {
    return this.table.get()?.has(normalizeKey(key)) ?? false;
  }

  *entries(): IterableIterator<[K, V]> {
    const map = this.table.getForChange();
    if (map !== undefined) for (const entry of map.values()) yield [entry.key, entry.value];
  }

  *keys(): IterableIterator<K> {
    const map = this.table.getForChange();
    if (map !== undefined) for (const entry of map.values()) yield entry.key;
  }

  *values(): IterableIterator<V> {
    const map = this.table.getForChange();
    if (map !== undefined) for (const entry of map.values()) yield entry.value;
  }

  isEmpty(): boolean {
    return this.table.get() === undefined;
  }

  clear(): void {
    this.table.remove();
  }
}
