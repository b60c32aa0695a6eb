/**
 * The entries of one disk state: for each key of the backend's range, one store entry under
 * entryKey(key group, state id, key) holding the key's value in its stored form (StoredForm). Reads
 * and writes address the current key (DiskCursor). Every read decodes a new copy, so a value
 * changed in place changes nothing stored until it is written back.
 */
import { internalError } from "../../core/errors.ts";
import { isInt32Value } from "../../core/value-codec.ts";
import type { KeyGroupRange, NormalizedKey } from "../../core/key-groups.ts";
import type { StateKind } from "../descriptors.ts";
import { keyOfEntry, rangeEnd, rangeStart } from "./disk-key.ts";
import type { DiskStore, StoreView } from "./disk-store.ts";
import type { PackedGroupWriter } from "./disk-packed-group.ts";
import { StoredForm } from "./disk-stored-form.ts";

/** The backend's current key, shared by its tables. */
export interface DiskCursor {
  readonly keyGroup: number;
  readonly normalized: NormalizedKey;
}

/** One entry of a state, as the disk state kinds read and write it. */
export interface DiskEntry<V> {
  /** A new copy of the value, or undefined when there is none. */
  read(): V | undefined;
  /** Stores `value`, or removes the entry when it is undefined. */
  write(value: V | undefined): void;
}

/** A change's mark for a key removed. */
export const REMOVED: unique symbol = Symbol("removed");

/**
 * What a key was changed to, as written: REMOVED; a 32-bit integer (not -0), which the stored bytes
 * decode to as it is; else the stored bytes (a value the writer may change in place afterwards, or
 * one the codec gives back in another form, is kept as written only in its bytes).
 */
export type Change = typeof REMOVED | number | Uint8Array;

/** Per key group (by position): the keys written since the last `takeChanges`, each with its last change. */
export type TableChanges = (Map<NormalizedKey, Change> | undefined)[];

export class DiskStateTable<V> implements DiskEntry<V> {
  readonly form: StoredForm;
  /**
   * With change tracking on: per key group (by position), the keys written since `takeChanges`
   * with what they were last written as, so that a changes snapshot needs no read of the store.
   */
  private changes: TableChanges | undefined;

  constructor(
    readonly name: string,
    readonly id: number,
    readonly kind: StateKind,
    readonly namespaced: boolean,
    private readonly range: KeyGroupRange,
    private readonly store: DiskStore,
    private readonly cursor: DiskCursor,
  ) {
    this.form = new StoredForm(kind, namespaced, `${namespaced ? "namespaced " : ""}${kind} state '${name}'`);
  }

  read(): V | undefined {
    const cursor = this.cursor;
    if (cursor.keyGroup < 0) return undefined;
    const bytes = this.store.get(cursor.keyGroup, this.id, cursor.normalized);
    return bytes === undefined ? undefined : (this.form.decode(bytes) as V);
  }

  write(value: V | undefined): void {
    const cursor = this.cursor;
    if (cursor.keyGroup < 0) throw internalError(`state '${this.name}' was used before a current key was set`);
    this.writeEntry(cursor.keyGroup, cursor.normalized, value, this.changes !== undefined);
  }

  /** The value of `key` in `keyGroup` (not necessarily the current key), a new copy. */
  readOther(keyGroup: number, key: NormalizedKey): V | undefined {
    const bytes = this.store.get(keyGroup, this.id, key);
    return bytes === undefined ? undefined : (this.form.decode(bytes) as V);
  }

  writeOther(keyGroup: number, key: NormalizedKey, value: V | undefined): void {
    this.writeEntry(keyGroup, key, value, this.changes !== undefined);
  }

  private writeEntry(keyGroup: number, key: NormalizedKey, value: V | undefined, track: boolean): void {
    if (value === undefined) {
      if (track) this.changed(keyGroup, key, REMOVED);
      this.store.remove(keyGroup, this.id, key);
      return;
    }
    const bytes = this.form.encode(value, key);
    if (track) this.changed(keyGroup, key, !this.namespaced && isInt32Value(value) ? value : bytes);
    this.store.put(keyGroup, this.id, key, bytes);
  }

  /** The entries of one key group in stored form (namespaced: one per key, with its namespace map), read now. */
  groupEntries(keyGroup: number, view?: StoreView): [NormalizedKey, V][] {
    this.checkGroup(keyGroup);
    const source = view ?? this.store;
    const entries: [NormalizedKey, V][] = [];
    for (const { key, value } of source.range(rangeStart(keyGroup, this.id), rangeEnd(keyGroup, this.id))) entries.push([keyOfEntry(key), this.form.decode(value) as V]);
    return entries;
  }

  /**
   * The entries of one key group as the view shows them, in the snapshot body's form, copied from
   * the stored bytes (see PackedGroupWriter): undefined when there are none, "decode" when some
   * value was stored in a form that must be decoded.
   */
  packedGroup(keyGroup: number, view: StoreView, writer: PackedGroupWriter): Uint8Array | "decode" | undefined {
    this.checkGroup(keyGroup);
    const describe = (key: unknown): string => `${this.kind} state '${this.name}' under key ${String(key)}`;
    for (const { key, value } of view.range(rangeStart(keyGroup, this.id), rangeEnd(keyGroup, this.id))) {
      if (!writer.add(key, value, describe)) {
        writer.discard();
        return "decode";
      }
    }
    return writer.finish();
  }

  /**
   * Replaces one key group's entries (restore). The changes are not tracked: a restore leaves them
   * unknown to the backend, whose next changes snapshot is none (a full one is taken instead).
   */
  load(keyGroup: number, entries: Iterable<readonly [NormalizedKey, V]>): void {
    this.checkGroup(keyGroup);
    this.store.removeRange(rangeStart(keyGroup, this.id), rangeEnd(keyGroup, this.id));
    for (const [key, value] of entries) this.writeEntry(keyGroup, key, value, false);
  }

  /** Removes every entry of the state. */
  removeAll(): void {
    for (let group = this.range.start; group <= this.range.end; group++) this.store.removeRange(rangeStart(group, this.id), rangeEnd(group, this.id));
  }

  /** From now on, remembers which keys are written (for `takeChanges`); the table must be empty. */
  trackChanges(): void {
    this.changes ??= Array.from({ length: this.range.end - this.range.start + 1 }, () => undefined);
  }

  /** The keys written since the last call, per key group (by position), starting afresh; tracking must be on. */
  takeChanges(): TableChanges {
    const changes = this.changes;
    if (changes === undefined) throw internalError(`state '${this.name}' does not track its changes`);
    this.changes = Array.from({ length: changes.length }, () => undefined);
    return changes;
  }

  /** A change's value as written: a new copy. */
  changedValue(change: Exclude<Change, typeof REMOVED>): V {
    return (typeof change === "number" ? change : this.form.decode(change)) as V;
  }

  private changed(keyGroup: number, key: NormalizedKey, change: Change): void {
    const index = keyGroup - this.range.start;
    const keys = this.changes![index];
    if (keys === undefined) this.changes![index] = new Map([[key, change]]);
    else keys.set(key, change);
  }

  /** Whether some key holds a value. */
  hasEntries(): boolean {
    for (let group = this.range.start; group <= this.range.end; group++) if (this.store.hasAny(rangeStart(group, this.id), rangeEnd(group, this.id))) return true;
    return false;
  }

  /** Number of keys with an entry, over all key groups. */
  countKeys(): number {
    let n = 0;
    for (let group = this.range.start; group <= this.range.end; group++) n += this.store.count(rangeStart(group, this.id), rangeEnd(group, this.id));
    return n;
  }

  private checkGroup(keyGroup: number): void {
    if (!Number.isInteger(keyGroup) || keyGroup < this.range.start || keyGroup > this.range.end) {
      throw internalError(`key group ${keyGroup} is outside the state backend's key-group range ${this.range.start}..${this.range.end}`);
    }
  }
}
