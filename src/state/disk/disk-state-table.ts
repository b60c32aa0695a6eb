/**
 * The entries of one disk state: for each key of the backend's range, one store entry under
 * entryKey(key group, state id, key) holding the key's value in its stored form (StoredForm). Reads
 * and writes address the current key (DiskCursor). Every read decodes a new copy, so a value
 * changed in place changes nothing stored until it is written back.
 */
import type { Buffer } from "node:buffer";
import { internalError } from "../../core/errors.ts";
import type { KeyGroupRange, NormalizedKey } from "../../core/key-groups.ts";
import type { StateKind } from "../descriptors.ts";
import { entryKey, keyOfEntry, rangeEnd, rangeStart } from "./disk-key.ts";
import type { DiskStore, StoreView } from "./disk-store.ts";
import type { PackedGroupWriter } from "./disk-packed-group.ts";
import { StoredForm } from "./disk-stored-form.ts";

/** The backend's current key, shared by its tables; `version` changes with every key set. */
export interface DiskCursor {
  readonly keyGroup: number;
  readonly normalized: NormalizedKey;
  readonly version: number;
}

/** One entry of a state, as the disk state kinds read and write it. */
export interface DiskEntry<V> {
  /** A new copy of the value, or undefined when there is none. */
  read(): V | undefined;
  /** Stores `value`, or removes the entry when it is undefined. */
  write(value: V | undefined): void;
}

export class DiskStateTable<V> implements DiskEntry<V> {
  readonly form: StoredForm;
  private keyVersion = -1;
  private key: Buffer | undefined;
  /** With change tracking on: per key group (by position), the keys written since `takeChanges`. */
  private changes: (Set<NormalizedKey> | undefined)[] | undefined;

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

  private currentKey(): Buffer {
    const cursor = this.cursor;
    if (cursor.version !== this.keyVersion || this.key === undefined) {
      if (cursor.keyGroup < 0) throw internalError(`state '${this.name}' was used before a current key was set`);
      this.key = entryKey(cursor.keyGroup, this.id, cursor.normalized);
      this.keyVersion = cursor.version;
    }
    return this.key;
  }

  read(): V | undefined {
    if (this.cursor.keyGroup < 0) return undefined;
    const bytes = this.store.get(this.currentKey());
    return bytes === undefined ? undefined : (this.form.decode(bytes) as V);
  }

  write(value: V | undefined): void {
    if (this.changes !== undefined) this.changed(this.cursor.keyGroup, this.cursor.normalized);
    if (value === undefined) this.store.remove(this.currentKey());
    else this.store.put(this.currentKey(), this.form.encode(value, this.cursor.normalized));
  }

  /** The value of `key` in `keyGroup` (not necessarily the current key), a new copy. */
  readOther(keyGroup: number, key: NormalizedKey): V | undefined {
    const bytes = this.store.get(entryKey(keyGroup, this.id, key));
    return bytes === undefined ? undefined : (this.form.decode(bytes) as V);
  }

  writeOther(keyGroup: number, key: NormalizedKey, value: V | undefined): void {
    const at = entryKey(keyGroup, this.id, key);
    if (this.changes !== undefined) this.changed(keyGroup, key);
    if (value === undefined) this.store.remove(at);
    else this.store.put(at, this.form.encode(value, key));
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

  /** Replaces one key group's entries (restore). */
  load(keyGroup: number, entries: Iterable<readonly [NormalizedKey, V]>): void {
    this.checkGroup(keyGroup);
    this.store.removeRange(rangeStart(keyGroup, this.id), rangeEnd(keyGroup, this.id));
    for (const [key, value] of entries) this.writeOther(keyGroup, key, value);
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
  takeChanges(): (Set<NormalizedKey> | undefined)[] {
    const changes = this.changes;
    if (changes === undefined) throw internalError(`state '${this.name}' does not track its changes`);
    this.changes = Array.from({ length: changes.length }, () => undefined);
    return changes;
  }

  /** The value of `key` in `keyGroup` as `view` shows it, a new copy. */
  viewedValue(view: StoreView, keyGroup: number, key: NormalizedKey): V | undefined {
    const bytes = view.get(entryKey(keyGroup, this.id, key));
    return bytes === undefined ? undefined : (this.form.decode(bytes) as V);
  }

  private changed(keyGroup: number, key: NormalizedKey): void {
    const index = keyGroup - this.range.start;
    const keys = this.changes![index];
    if (keys === undefined) this.changes![index] = new Set([key]);
    else keys.add(key);
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
