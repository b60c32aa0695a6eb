/**
 * Broadcast state on the heap: a map whose user keys compare by `normalizeKey`, as map state's do
 * (composite keys with equal content are one key; `keys()` gives back the key first put). The
 * read-only view refuses writes with WEIR_ERR_BROADCAST_STATE_READ_ONLY at run time too, since
 * a JavaScript job (or a cast) can call what its type does not show.
 */
import { WeirError } from "../../core/errors.ts";
import { normalizeKey, type NormalizedKey } from "../../core/key-groups.ts";
import type { BroadcastState, ReadOnlyBroadcastState } from "../operator-state.ts";

export class HeapBroadcastState<K, V> implements BroadcastState<K, V> {
  private readonly map = new Map<NormalizedKey, [K, V]>();

  constructor(
    readonly name: string,
    entries: Iterable<readonly [unknown, unknown]> = [],
  ) {
    for (const [key, value] of entries) this.put(key as K, value as V);
  }

  get(key: K): V | undefined {
    return this.map.get(normalizeKey(key))?.[1];
  }

  contains(key: K): boolean {
    return this.map.has(normalizeKey(key));
  }

  *immutableEntries(): IterableIterator<[K, V]> {
    for (const [key, value] of this.map.values()) yield [key, value];
  }

  entries(): IterableIterator<[K, V]> {
    return this.immutableEntries();
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.map.values()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.map.values()) yield value;
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  put(key: K, value: V): void {
    const normalized = normalizeKey(key);
    const entry = this.map.get(normalized);
    if (entry === undefined) this.map.set(normalized, [key, value]);
    else entry[1] = value;
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [key, value] of entries) this.put(key, value);
  }

  remove(key: K): void {
    this.map.delete(normalizeKey(key));
  }

  clear(): void {
    this.map.clear();
  }

  /** The entries as [key, value] pairs, for a snapshot (encoded at once by the caller). */
  snapshot(): [K, V][] {
    return [...this.immutableEntries()];
  }

  /** A view that reads this state and refuses every write, naming `where` in the error. */
  readOnly(where: string): ReadOnlyBroadcastState<K, V> {
    const refuse = (): never => {
      throw new WeirError(
        "WEIR_ERR_BROADCAST_STATE_READ_ONLY",
        `broadcast state '${this.name}' is read-only in ${where}: only processBroadcastElement may change it, so that every parallel instance holds the same contents`,
      );
    };
    const view: ReadOnlyBroadcastState<K, V> & Record<"put" | "putAll" | "remove" | "clear", () => never> = {
      get: (key) => this.get(key),
      contains: (key) => this.contains(key),
      immutableEntries: () => this.immutableEntries(),
      entries: () => this.immutableEntries(),
      keys: () => this.keys(),
      values: () => this.values(),
      isEmpty: () => this.isEmpty(),
      put: refuse,
      putAll: refuse,
      remove: refuse,
      clear: refuse,
    };
    return view;
  }
}
