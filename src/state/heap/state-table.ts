/**
 * The entries of one heap state: a map from normalized key to stored value for each key group of
 * the backend's range, created on the first write to that key group. Reads and writes address the
 * current key its cursor names. (A namespaced state keeps, per key, a map from namespace to value
 * in such a table: see NamespacedStateTable.) Invariant: no map holds `undefined` as a value, so a
 * key has an entry exactly when it holds state.
 *
 * Snapshots are copy-on-write per entry, against every snapshot in flight (the idea of Flink's
 * CopyOnWriteStateMap with state versions). `freeze()` costs O(key groups): each non-empty key
 * group gets a hold, a pre-image for that snapshot (see PreImage), appended to the group's holds
 * (oldest first). Before a key of a held group changes, the value it had is recorded in every hold that
 * has no record of the key yet (ABSENT when it had none); a snapshot then sees its group as the
 * live map overlaid with its pre-image. Values are changed in place only after `getForChange`,
 * which records a copy as the pre-image the first time a key is read for change under a hold
 * (objects only: primitives cannot change in place), so a value a snapshot can see is never
 * changed. A snapshot drops its hold on a group once it has written it, or when released.
 *
 * Invariant that keeps this cheap: the holds that have a record of a key are always the oldest
 * ones (a record is made in every hold at once, and holds are only ever added as the newest), so
 * the newest hold alone tells whether the current value is the table's own.
 *
 * Costs: a write to a group no snapshot holds is one array check; under holds, the first write of
 * a key records its old value (one lookup and insertion per hold), later writes one lookup; a
 * key's value is copied at most once per live snapshot, and only when read for change.
 */
import { deepCopy } from "../../core/deep-copy.ts";
import { internalError } from "../../core/errors.ts";
import type { KeyGroupRange, NormalizedKey } from "../../core/key-groups.ts";
import type { EntryCursor } from "./current-key.ts";
import { NumberMap, type EntryMap } from "./number-map.ts";
import type { NumericRecords } from "./numeric-records.ts";
import { ABSENT, NOT_COPIED, PreImage, RECORDED_BEFORE, type Absent } from "./pre-image.ts";

/** One key group of a table as a snapshot froze it. */
export interface FrozenGroup<V> {
  /** At least the number of entries. */
  readonly sizeBound: number;
  /**
   * Calls `visit` for each entry (without making an entry pair per entry, as an iterator would).
   * A visit that returns false asks for no more entries: the walk may end there (the rest of the
   * entries then cost nothing, such as a copy made for them), or go on calling.
   */
  forEach(visit: (value: V, key: NormalizedKey) => boolean | void): void;
  /**
   * As `forEach` without the early end, except that entries kept as numeric records (copies of
   * flat number records, see NumericRecords) go to `record` as their records and where each starts,
   * not made into objects. Offered by groups of a heap table; others leave it out.
   */
  readonly forEachWithRecords?: ((visit: (value: V, key: NormalizedKey) => void, record: (records: NumericRecords, at: number, key: NormalizedKey) => void) => void) | undefined;
}

/** A frozen group whose keys can be looked up one by one. */
export interface FrozenLookupGroup<V> extends FrozenGroup<V> {
  /** The key's value as frozen, or undefined when it had none. */
  get(key: NormalizedKey): V | undefined;
}

/** A table as it was at `freeze()`, read key group by key group (by position in the range). */
export interface FrozenTable<V> {
  /** The group's entries as frozen, or undefined when it had none; the group must not be released. */
  group(index: number): FrozenGroup<V> | undefined;
  /** The snapshot no longer needs the group; idempotent. */
  release(index: number): void;
}

/** A frozen table whose groups can be looked up key by key. */
export interface FrozenLookupTable<V> extends FrozenTable<V> {
  group(index: number): FrozenLookupGroup<V> | undefined;
}

/**
 * The current entry of one state, as the heap state kinds read and write it: the current key's
 * (StateTable), or the current key's in the current namespace (NamespacedStateTable).
 */
export interface CurrentEntry<V> {
  /** The value, or undefined when it has none; must not be changed in place nor given to user code. */
  get(): V | undefined;
  /** The value, which the caller may change in place: no live snapshot sees the object returned. */
  getForChange(): V | undefined;
  /** Stores `value`, which must not be undefined. */
  put(value: V): void;
  /** Stores `value`, or removes the entry when it is undefined. */
  set(value: V | undefined): void;
  remove(): void;
}

/**
 * Entries to load into a key group: any pairs; a source that can hand them out without a pair per
 * entry (restored entries, see RestoredEntries) offers `forEachEntry`, which loading prefers, and
 * one whose entries are all numbers may offer them as typed arrays of pairs ([key, value, ...],
 * later pairs of a key replacing earlier ones), which load into a NumberMap.
 */
export type LoadedEntries<V = unknown> = Iterable<readonly [NormalizedKey, V]> & {
  forEachEntry?(visit: (key: NormalizedKey, value: V) => void): void;
  numericPairs?(): readonly (Int32Array | Float64Array)[] | undefined;
  /** The entries in a map the source hands over: the table keeps it as its own, and nothing else may use it afterwards. */
  takeMap?(): EntryMap<V> | undefined;
};

/**
 * The changes of a table since its previous `freezeChanges` (or since change tracking began), as
 * they were at this call, read key group by key group (by position in the range) like a FrozenTable.
 */
export interface FrozenChanges {
  /** Whether some key of the group changed. */
  changed(index: number): boolean;
  /**
   * Calls `put` for every entry of a changed key, as frozen (for a namespaced table, every entry
   * of its namespaces, under its entry key), and `removed` for every changed key that had no value
   * then (for a namespaced table: for every changed key, whose namespaces the puts replace).
   */
  forEachChange(index: number, put: (value: unknown, key: NormalizedKey) => void, removed: (key: NormalizedKey) => void): void;
  /** The snapshot no longer needs the group; idempotent. */
  release(index: number): void;
}

/** A state's entries key group by key group, as snapshots, restores and introspection see them. */
export interface KeyGroupTable {
  /** The entries of one key group, live, in their stored form; `keyGroup` must lie in the range. */
  entries(keyGroup: number): IterableIterator<[NormalizedKey, unknown]>;
  /** Replaces one key group's entries (see StateTable.load). */
  load(keyGroup: number, entries: LoadedEntries): void;
  /** Whether a live snapshot still holds the key group (see StateTable.held). */
  held(keyGroup: number): boolean;
  /** Number of entries over all key groups. */
  size(): number;
  freeze(): FrozenTable<unknown>;
  /**
   * From now on, remembers which keys change (written, removed, or read for change), per key
   * group, for `freezeChanges`. Every key that holds a value now counts as changed.
   */
  trackChanges(): void;
  /** Freezes the table and hands over the keys changed since the last call, starting afresh; tracking must be on. */
  freezeChanges(): FrozenChanges;
}

export class StateTable<V> implements CurrentEntry<V>, KeyGroupTable {
  /**
   * Per key group: its entries, in a Map, or in a NumberMap when they were loaded from numeric
   * pairs and every entry written since was numbers too (the first entry that is not moves the
   * group into a Map, see `put`).
   */
  private readonly maps: (EntryMap<V> | undefined)[];
  /** Per key group: the pre-images of the live snapshots holding it, oldest first; undefined when none. */
  private readonly holds: (PreImage<V>[] | undefined)[];
  /**
   * Per key group: a pre-image its last snapshot released, cleared, for the next snapshot holding
   * the group. Kept per group rather than pooled because a pre-image's arrays are as large as its
   * group's records needed (which differ tenfold between a group written out first and one
   * written out last); a pooled one handed to another group would grow again, in one update.
   */
  private readonly spares: (PreImage<V> | undefined)[];
  /**
   * The entry last read or written (slot, key and value, undefined when absent), so that a write
   * under a hold after a read of the same key (`value()` then `update()`) needs no second lookup
   * of the old value. Kept true by every read and write of this table.
   */
  private lastIndex = -1;
  private lastKey: NormalizedKey = undefined;
  private lastValue: V | undefined = undefined;
  /** Whether the newest hold of the last entry's group has a record of it (so a write needs no lookup); false when unknown. */
  private lastRecorded = false;
  /**
   * With change tracking on: per key group, the keys changed since the last `freezeChanges`
   * (undefined when none), each with its value as last written: a primitive, ABSENT when removed,
   * or READ_FROZEN for an object, which may still change in place and is read from the frozen
   * table. The entry last read for change or written is always in its set when it holds an object,
   * so the shortcuts on it need no check; `freezeChanges` forgets that entry.
   */
  private changes: (Map<NormalizedKey, V | Absent | ReadFrozen> | undefined)[] | undefined;
  /** With change tracking on: per key group, 1 when its changes hold READ_FROZEN (the group must be frozen for them). */
  private changedObjects: Uint8Array | undefined;

  constructor(
    readonly name: string,
    private readonly range: KeyGroupRange,
    private readonly current: EntryCursor,
  ) {
    const groups = range.end - range.start + 1;
    this.maps = Array.from({ length: groups }, () => undefined);
    this.holds = Array.from({ length: groups }, () => undefined);
    this.spares = Array.from({ length: groups }, () => undefined);
  }

  /**
   * The current key's value, or undefined when it has none. Must not be changed in place nor
   * given to user code (use `getForChange`); for reading primitives and sizes.
   */
  get(): V | undefined {
    const map = this.maps[this.current.index];
    return map === undefined ? undefined : map.get(this.current.normalized);
  }

  /**
   * The current key's value, which the caller (or user code) may change in place: when a live
   * snapshot may still see the stored object, a deep copy takes its place first.
   */
  getForChange(): V | undefined {
    const index = this.current.index;
    const key = this.current.normalized;
    const holds = this.holds[index];
    // The entry last read or written is known, and owned when a hold has a record of it.
    if (index === this.lastIndex && key === this.lastKey && (holds === undefined || this.lastRecorded)) return this.lastValue;
    const map = this.maps[index];
    if (map === undefined) return undefined;
    const value = map.get(key);
    this.remember(index, key, value);
    if (typeof value !== "object" || value === null) return value;
    if (this.changes !== undefined) this.changed(index, key, value);
    if (holds === undefined) return value;
    this.lastRecorded = true;
    // The snapshots get a copy and the live map keeps its (long-lived) object: the copy is garbage
    // once the snapshots have written the group, and kept out of the collector's sight meanwhile
    // when it can be (see PreImage).
    recordCopy(holds, key, value);
    return value;
  }

  /** Stores `value` for the current key; `value` must not be undefined. */
  put(value: V): void {
    const index = this.current.index;
    let map = this.maps[index] ?? this.createMap();
    const key = this.current.normalized;
    if (map instanceof NumberMap && !NumberMap.holds(key, value)) map = this.intoMap(index, map);
    const holds = this.holds[index];
    const last = index === this.lastIndex && key === this.lastKey;
    // Writing back the object just read for change (`s = value(); s.n++; update(s)`) stores nothing new.
    if (last && value === this.lastValue && (holds === undefined || this.lastRecorded)) return;
    if (this.changes !== undefined) this.changed(index, key, value);
    if (holds !== undefined) {
      // After a read of the key (`update(value() + 1)`) its old value is at hand; else it is read
      // and recorded again, which costs less than asking whether the key has a record (see PreImage).
      if (!(last && this.lastRecorded)) recordPreImage(holds, key, valueOrAbsent(last ? this.lastValue : map.get(key)));
      map.set(key, value);
      this.remember(index, key, value);
      this.lastRecorded = true;
      return;
    }
    map.set(key, value);
    this.remember(index, key, value);
  }

  /** Stores `value` for the current key, or removes its entry when `value` is undefined. */
  set(value: V | undefined): void {
    if (value === undefined) this.remove();
    else this.put(value);
  }

  remove(): void {
    const index = this.current.index;
    const map = this.maps[index];
    if (map === undefined) return;
    const key = this.current.normalized;
    const value = map.get(key);
    if (value === undefined) return;
    const holds = this.holds[index];
    if (holds !== undefined) recordPreImage(holds, key, value);
    if (this.changes !== undefined) this.changed(index, key, ABSENT);
    map.delete(key);
    this.remember(index, key, undefined);
  }

  /** The entries of one key group, live; `keyGroup` must lie in the range. */
  entries(keyGroup: number): IterableIterator<[NormalizedKey, V]> {
    const map = this.maps[this.indexOf(keyGroup)];
    return map === undefined ? new Map<NormalizedKey, V>().entries() : map.entries();
  }

  /**
   * Moves a group's entries from its NumberMap into a Map, which takes its place; a snapshot
   * holding the group keeps reading the NumberMap, which nothing changes any more.
   */
  private intoMap(index: number, numbers: NumberMap): Map<NormalizedKey, V> {
    const map = new Map<NormalizedKey, V>();
    numbers.forEach((value, key) => map.set(key, value as V));
    this.maps[index] = map;
    return map;
  }

  /**
   * Replaces one key group's entries; the values become this table's own, so none may be an
   * object a live snapshot can still see. Snapshots that hold the group keep the replaced map,
   * which nothing changes any more, with their pre-images.
   */
  load(keyGroup: number, entries: LoadedEntries<V>): void {
    const index = this.indexOf(keyGroup);
    const map = loadedMap(entries);
    const replaced = this.maps[index];
    this.maps[index] = map.size > 0 ? map : undefined;
    this.holds[index] = undefined;
    this.lastIndex = -1;
    if (this.changes !== undefined) {
      if (replaced !== undefined) for (const key of replaced.keys()) this.changed(index, key, ABSENT);
      map.forEach((value, key) => this.changed(index, key, value));
    }
  }

  /** Whether a live snapshot still holds the key group: its stored objects must then not be changed, nor moved into another table. */
  held(keyGroup: number): boolean {
    return this.holds[this.indexOf(keyGroup)] !== undefined;
  }

  /** Number of keys with an entry, over all key groups. */
  size(): number {
    let n = 0;
    for (const map of this.maps) if (map !== undefined) n += map.size;
    return n;
  }

  /**
   * The table as it is now, for a snapshot; later writes, and changes to values read for change,
   * do not show in it. Each non-empty key group is held until the snapshot releases it.
   */
  freeze(): FrozenLookupTable<V> {
    return this.freezeGroups(undefined);
  }

  /** As `freeze`, of the key groups (by position) whose flag in `only` is 1, or of all when undefined; the others read as empty. */
  private freezeGroups(only: Uint8Array | undefined): FrozenLookupTable<V> {
    this.lastRecorded = false;
    // The maps as they are now: `load` may replace a live map, never change a replaced one.
    const maps = this.maps.slice();
    const preImages: (PreImage<V> | undefined)[] = new Array<PreImage<V> | undefined>(this.maps.length).fill(undefined);
    for (let i = 0; i < this.maps.length; i++) {
      const map = this.maps[i];
      if (map === undefined || map.size === 0 || (only !== undefined && only[i] === 0)) continue;
      const preImage = this.spares[i] ?? new PreImage<V>(map.size);
      this.spares[i] = undefined;
      preImages[i] = preImage;
      const holds = this.holds[i];
      if (holds === undefined) this.holds[i] = [preImage];
      else holds.push(preImage);
    }
    return {
      group: (index) => {
        const preImage = preImages[index];
        return preImage === undefined ? undefined : frozenGroup(maps[index]!, preImage);
      },
      release: (index) => {
        const preImage = preImages[index];
        if (preImage === undefined) return;
        preImages[index] = undefined;
        // Nothing reads it any more: the snapshot is done with the group, and the live table
        // records into its holds only.
        const holds = this.holds[index];
        const at = holds?.indexOf(preImage) ?? -1;
        if (at >= 0) {
          holds!.splice(at, 1);
          if (holds!.length === 0) this.holds[index] = undefined;
        }
        preImage.clear();
        if (this.spares[index] === undefined) this.spares[index] = preImage;
      },
    };
  }

  trackChanges(): void {
    if (this.changes !== undefined) return;
    this.changes = new Array<Map<NormalizedKey, V | Absent | ReadFrozen> | undefined>(this.maps.length).fill(undefined);
    this.changedObjects = new Uint8Array(this.maps.length);
    this.maps.forEach((map, index) => map?.forEach((value, key) => this.changed(index, key, value)));
  }

  /**
   * The changes' values are those recorded as they were written; only key groups where an object
   * changed are frozen (and so held, their writes recording pre-images while the snapshot lives),
   * since an object may be changed in place after this call. A group of primitives costs the live
   * table nothing from here on.
   */
  freezeChanges(): FrozenChanges {
    const changes = this.changes;
    const objects = this.changedObjects;
    if (changes === undefined || objects === undefined) throw internalError(`state '${this.name}' does not track its changes`);
    this.changes = new Array<Map<NormalizedKey, V | Absent | ReadFrozen> | undefined>(changes.length).fill(undefined);
    this.changedObjects = new Uint8Array(changes.length);
    // The shortcuts on the last entry assume it is in its change set, which is new now.
    this.lastIndex = -1;
    const frozen = this.freezeGroups(objects);
    return {
      changed: (index) => changes[index] !== undefined,
      forEachChange: (index, put, removed) => {
        const keys = changes[index];
        if (keys === undefined) return;
        const group = objects[index] === 1 ? frozen.group(index) : undefined;
        keys.forEach((recorded, key) => {
          const value = recorded === READ_FROZEN ? group?.get(key) : recorded === ABSENT ? undefined : recorded;
          if (value === undefined) removed(key);
          else put(value, key);
        });
      },
      release: (index) => {
        changes[index] = undefined;
        frozen.release(index);
      },
    };
  }

  /** Records that the key changed to `value` (ABSENT: removed). */
  private changed(index: number, key: NormalizedKey, value: V | Absent): void {
    let recorded: V | Absent | ReadFrozen = value;
    if (typeof value === "object" && value !== null) {
      recorded = READ_FROZEN;
      this.changedObjects![index] = 1;
    }
    const keys = this.changes![index];
    if (keys === undefined) this.changes![index] = new Map([[key, recorded]]);
    else keys.set(key, recorded);
  }

  private remember(index: number, key: NormalizedKey, value: V | undefined): void {
    if (index !== this.lastIndex || key !== this.lastKey) this.lastRecorded = false;
    this.lastIndex = index;
    this.lastKey = key;
    this.lastValue = value;
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
    return map;
  }
}

/** In a change set: the key's value is an object, read from the table as frozen (see StateTable.freezeChanges). */
const READ_FROZEN: unique symbol = Symbol("read frozen");
type ReadFrozen = typeof READ_FROZEN;

/** The map handed over, else the entries in a NumberMap when they come as numeric pairs, else in a Map. */
function loadedMap<V>(entries: LoadedEntries<V>): EntryMap<V> {
  const taken = entries.takeMap?.();
  if (taken !== undefined) return taken;
  const pairs = entries.numericPairs?.();
  const numbers = pairs === undefined ? undefined : NumberMap.fromPairs(pairs);
  if (numbers !== undefined) return numbers as unknown as EntryMap<V>;
  const map = new Map<NormalizedKey, V>();
  if (entries.forEachEntry !== undefined) entries.forEachEntry((k, v) => map.set(k, v));
  else for (const [k, v] of entries) map.set(k, v);
  return map;
}

function valueOrAbsent<V>(value: V | undefined): V | Absent {
  return value === undefined ? ABSENT : value;
}

/**
 * Records `value` as the key's pre-image in every hold without a record of it: the newest ones, so
 * the first hold known to have a record ends the walk.
 */
function recordPreImage<V>(holds: readonly PreImage<V>[], key: NormalizedKey, value: V | Absent): void {
  for (let i = holds.length - 1; i >= 0 && holds[i]!.record(key, value); i--);
}

/**
 * As recordPreImage, for an object the live map keeps: each hold records a copy, as numbers when
 * it can (see PreImage), else one deep copy shared by the holds.
 */
function recordCopy<V>(holds: readonly PreImage<V>[], key: NormalizedKey, value: V & object): void {
  let copy: V | undefined;
  for (let i = holds.length - 1; i >= 0; i--) {
    const outcome = holds[i]!.copyIfAbsent(key, value);
    if (outcome === RECORDED_BEFORE) return;
    if (outcome === NOT_COPIED) holds[i]!.set(key, (copy ??= deepCopy(value)));
  }
}

/** The live map overlaid with a pre-image: unchanged keys as they are, changed ones as recorded. */
function frozenGroup<V>(live: EntryMap<V>, preImage: PreImage<V>): FrozenLookupGroup<V> {
  if (preImage.size === 0) return { sizeBound: live.size, forEach: (visit) => live.forEach(visit), forEachWithRecords: (visit) => live.forEach(visit), get: (key) => live.get(key) };
  return {
    sizeBound: live.size + preImage.size,
    get: (key) => {
      const recorded = preImage.get(key);
      if (recorded === undefined) return live.get(key);
      return recorded === ABSENT ? undefined : recorded;
    },
    forEach: (visit) => {
      let going = true;
      live.forEach((value, key) => {
        if (going && !preImage.has(key)) going = visit(value, key) !== false;
      });
      if (going) preImage.forEach(visit);
    },
    forEachWithRecords: (visit, record) => {
      live.forEach((value, key) => {
        if (!preImage.has(key)) visit(value, key);
      });
      preImage.forEach(visit, record);
    },
  };
}
