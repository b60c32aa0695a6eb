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
