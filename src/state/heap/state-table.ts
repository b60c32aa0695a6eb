/**
 * The entries of one heap state: a map from normalized key to stored value for each key group of
 * the backend's range, created on the first write to that key group. Reads and writes address the
 * current key. Invariant: no map holds `undefined` as a value, so a key has an entry exactly when
 * it holds state.
 *
 * Snapshots are copy-on-write, per key group. `freeze()` hands out the current maps and marks them
 * held; the first write to a held key group copies its map (shallowly) before changing it, so the
 * snapshot keeps seeing the state as it was. Values that state kinds change in place (lists, user
 * maps, accumulators) are read through `getMutable`, which also copies a value the first time it
 * is changed after a freeze. A snapshot releases each key group as soon as it has written it out:
 * from then on writes to that group copy nothing (unless another live snapshot holds it).
 */
import { internalError } from "../../core/errors.ts";
import type { KeyGroupRange, NormalizedKey } from "../../core/key-groups.ts";
import type { CurrentKey } from "./current-key.ts";

export type FrozenMaps<V> = readonly (ReadonlyMap<NormalizedKey, V> | undefined)[];

export class StateTable<V> {
  private readonly maps: (Map<NormalizedKey, V> | undefined)[];
  /** Per key group: 1 while a live snapshot holds the group's current map; the next write copies it. */
  private readonly mapHeld: Uint8Array;
  /** Per key group: how many live snapshots hold some version of the group (its map or its values). */
  private readonly holds: Uint16Array;
  /**
   * Per key group, after its map was copied for a snapshot: the keys whose values are this
   * table's own. Undefined means every value is its own (no snapshot can see them).
   */
  private readonly ownValues: (Set<NormalizedKey> | undefined)[];

  constructor(
    readonly name: string,
    private readonly range: KeyGroupRange,
    private readonly current: CurrentKey,
  ) {
    const groups = range.end - range.start + 1;
    this.maps = Array.from({ length: groups }, () => undefined);
    this.mapHeld = new Uint8Array(groups);
    this.holds = new Uint16Array(groups);
    this.ownValues = Array.from({ length: groups }, () => undefined);
  }

  /** The current key's value, or undefined when it has none. Must not be changed in place. */
  get(): V | undefined {
    const map = this.maps[this.current.index];
    return map === undefined ? undefined : map.get(this.current.normalized);
  }

  /**
   * The current key's value, to be changed in place: `copy` makes a private copy first when a
   * live snapshot may still see the stored one.
   */
  getMutable(copy: (value: V) => V): V | undefined {
    const index = this.current.index;
    if (this.maps[index] === undefined) return undefined;
    const map = this.writableMap(index);
    const key = this.current.normalized;
    const value = map.get(key);
    const own = this.ownValues[index];
    if (value === undefined || own === undefined || own.has(key)) return value;
    const copied = copy(value);
    map.set(key, copied);
    own.add(key);
    return copied;
  }

  /** Stores `value` for the current key; `value` must not be undefined. */
  put(value: V): void {
    const index = this.current.index;
    const map = this.maps[index] === undefined ? this.createMap() : this.writableMap(index);
    map.set(this.current.normalized, value);
    this.ownValues[index]?.add(this.current.normalized);
  }

  /** Stores `value` for the current key, or removes its entry when `value` is undefined. */
  set(value: V | undefined): void {
    if (value === undefined) this.remove();
    else this.put(value);
  }

  remove(): void {
    const index = this.current.index;
    if (this.maps[index] !== undefined) this.writableMap(index).delete(this.current.normalized);
  }

  /** The entries of one key group, live; `keyGroup` must lie in the range. */
  entries(keyGroup: number): IterableIterator<[NormalizedKey, V]> {
    const map = this.maps[this.indexOf(keyGroup)];
    return map === undefined ? new Map<NormalizedKey, V>().entries() : map.entries();
  }

  /** Replaces one key group's entries (restore); values become this table's own. */
  load(keyGroup: number, entries: Iterable<readonly [NormalizedKey, V]>): void {
    const index = this.indexOf(keyGroup);
    const map = new Map<NormalizedKey, V>();
    for (const [k, v] of entries) map.set(k, v);
    this.maps[index] = map.size > 0 ? map : undefined;
    this.mapHeld[index] = 0;
    this.holds[index] = 0;
    this.ownValues[index] = undefined;
  }

  /** Number of keys with an entry, over all key groups. */
  size(): number {
    let n = 0;
    for (const map of this.maps) if (map !== undefined) n += map.size;
    return n;
  }

  /**
   * The maps as they are now, for a snapshot; later writes do not change what it returns. Every
   * key group it returns a map for is held until the snapshot calls `release` for it.
   */
  freeze(): FrozenMaps<V> {
    for (let i = 0; i < this.maps.length; i++) {
      if (this.maps[i] === undefined) continue;
      this.mapHeld[i] = 1;
      this.holds[i]!++;
    }
    return this.maps.slice();
  }

  /** A snapshot no longer needs key group `index` (by position in the range) as it froze it. */
  release(index: number): void {
    if (this.holds[index] === 0) return;
    if (--this.holds[index]! === 0) {
      this.mapHeld[index] = 0;
      this.ownValues[index] = undefined;
    }
  }

  private writableMap(index: number): Map<NormalizedKey, V> {
    if (this.mapHeld[index] === 1) {
      this.maps[index] = new Map(this.maps[index]);
      this.mapHeld[index] = 0;
      this.ownValues[index] = new Set();
    }
    return this.maps[index]!;
  }

  private indexOf(keyGroup: number): number {
    if (!Number.isInteger(keyGroup) || keyGroup < this.range.start || keyGroup > this.range.end) {
      throw internalError(`key group ${keyGroup} is outside the state backend's key-group range ${this.range.start}..${this.range.end}`);
    }
    return keyGroup - this.range.start;
  }

  private createMap(): Map<NormalizedKey, V> {
    const index = this.current.index;
    if (index < 0) throw internalError(`state '${this.name}' was written before a current key was set`);
    const map = new Map<NormalizedKey, V>();
    this.maps[index] = map;
    this.mapHeld[index] = 0;
    return map;
  }
}
