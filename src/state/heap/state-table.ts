/**
 * The entries of one heap state: a map from normalized key to stored value for each key group of
 * the backend's range, created on the first write to that key group. Reads and writes address the
 * current key. Invariant: no map holds `undefined` as a value, so a key has an entry exactly when
 * it holds state.
 */
import { internalError } from "../../core/errors.ts";
import type { KeyGroupRange, NormalizedKey } from "../../core/key-groups.ts";
import type { CurrentKey } from "./current-key.ts";

export class StateTable<V> {
  private readonly maps: (Map<NormalizedKey, V> | undefined)[];

  constructor(
    readonly name: string,
    private readonly range: KeyGroupRange,
    private readonly current: CurrentKey,
  ) {
    this.maps = Array.from({ length: range.end - range.start + 1 }, () => undefined);
  }

  /** The current key's value, or undefined when it has none. */
  get(): V | undefined {
    const map = this.maps[this.current.index];
    return map === undefined ? undefined : map.get(this.current.normalized);
  }

  /** Stores `value` for the current key; `value` must not be undefined. */
  put(value: V): void {
    const map = this.maps[this.current.index] ?? this.createMap();
    map.set(this.current.normalized, value);
  }

  /** Stores `value` for the current key, or removes its entry when `value` is undefined. */
  set(value: V | undefined): void {
    if (value === undefined) this.remove();
    else this.put(value);
  }

  remove(): void {
    const map = this.maps[this.current.index];
    if (map !== undefined) map.delete(this.current.normalized);
  }

  /** The entries of one key group, live; `keyGroup` must lie in the range. */
  entries(keyGroup: number): IterableIterator<[NormalizedKey, V]> {
    if (!Number.isInteger(keyGroup) || keyGroup < this.range.start || keyGroup > this.range.end) {
      throw internalError(`key group ${keyGroup} is outside the state backend's key-group range ${this.range.start}..${this.range.end}`);
    }
    const map = this.maps[keyGroup - this.range.start];
    return map === undefined ? new Map<NormalizedKey, V>().entries() : map.entries();
  }

  /** Number of keys with an entry, over all key groups. */
  size(): number {
    let n = 0;
    for (const map of this.maps) if (map !== undefined) n += map.size;
    return n;
  }

  private createMap(): Map<NormalizedKey, V> {
    const index = this.current.index;
    if (index < 0) throw internalError(`state '${this.name}' was written before a current key was set`);
    const map = new Map<NormalizedKey, V>();
    this.maps[index] = map;
    return map;
  }
}
