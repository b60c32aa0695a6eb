/**
 * The snapshot format of keyed state, and the heap backend's snapshot: a frozen view of every
 * state table (see StateTable.freeze) that is written out key group by key group while the task
 * goes on processing, releasing each group as it is written.
 *
 * Format (version 3): "WKS3", u32 header length, header, then one section per non-empty key
 * group: u32 key group, u32 length, body. Header and bodies are MessagePack. Header:
 * { maxParallelism, range: [start, end], states: [[name, kind, namespaced, version], ...] }, where
 * `namespaced` is 1 for a namespaced state (its entries' keys encode (key, namespace), see
 * namespacedEntryKey, so namespaces are stored per key group with their keys), else 0, and
 * `version` is the schema version the state's entries were written at (see descriptors.ts). One
 * name may appear once per version: restored state of an older version that nobody asked for yet
 * is written as it was read, beside the entries of the newer version. Body: [[stateIndex, flatEntries], ...]
 * where flatEntries is [key, value, key, value, ...] of normalized keys and stored values, except
 * map state, whose value is flattened as [userKeyNormalized, userKey, value, ...]; each key and
 * value is a slot of the value codec (core/value-codec.ts: the value itself when plain, else its
 * V8 bytes), so every value comes back as structuredClone would copy it, and a value that cannot
 * be written fails the snapshot naming its state, key and path. When every key and value of a
 * state in a key group is a number, flatEntries is an Int32Array (all 32-bit integers, no -0) or a
 * Float64Array of the same pairs. Sections let a restore read only the key groups it owns,
 * whatever parallelism wrote them.
 *
 * Version 2 ("WKS2": states as [name, kind] or [name, kind, 1] when namespaced) is still read,
 * every state at schema version 1. Version 1 ("WKS1": the layout of version 2 with header and
 * bodies in msgpackr's structured-clone mode, keys and values in place) is still read, as it
 * decodes: a Map nested in a value was written as a plain object there, and is restored as one.
 */
import { Buffer } from "node:buffer";
import { Packr } from "msgpackr";
import { WeirError, internalError } from "../../core/errors.ts";
import { MessagePackWriter } from "../../core/message-pack-writer.ts";
import { ByteArena } from "./byte-arena.ts";
import { fromSlot, plainPackr, toSlot } from "../../core/value-codec.ts";
import { keyGroupOfNormalizedKey, type KeyGroupRange, type NormalizedKey } from "../../core/key-groups.ts";
import type { StateKind } from "../descriptors.ts";
import type { KeyedStateSnapshot } from "../keyed-state-snapshot.ts";
import { UserMapEntry, type UserMap } from "./heap-map-state.ts";
import { splitNamespacedEntryKey } from "./namespaced-entry-key.ts";
import { NumberMap, type EntryMap } from "./number-map.ts";
import { writePackedRecord } from "./numeric-records.ts";
import type { FrozenGroup, FrozenTable } from "./state-table.ts";

const MAGIC = 0x33534b57; // "WKS3" little-endian
/** The changes format (see heap-changes-snapshot.ts): the header of format 3, sections of changes. */
export const MAGIC_CHANGES = 0x31444b57; // "WKD1"
const MAGIC_V2 = 0x32534b57; // "WKS2"
const MAGIC_V1 = 0x31534b57; // "WKS1"

export interface FrozenState {
  readonly name: string;
  readonly kind: StateKind;
  /** Entries are (key, namespace) pairs under their encoded entry key (see namespacedEntryKey). */
  readonly namespaced: boolean;
  /** The schema version the entries are at. */
  readonly version: number;
  readonly table: FrozenTable<unknown>;
  /** What a stored value is written as (TTL: without its expired parts); undefined leaves the entry out. */
  readonly filter?: ((stored: unknown) => unknown) | undefined;
  /**
   * For a backend that keeps entries encoded: a key group's entries already in the body's form
   * (the MessagePack of its flatEntries, see the header), copied into the body as they are; or
   * undefined when the group has none, or "decode" to write `table.group(index)` as usual.
   */
  readonly packedGroup?: ((index: number) => Uint8Array | "decode" | undefined) | undefined;
}

/** One state's part of a body: its flatEntries, or their MessagePack when the backend had it ready. */
type BodyPart = [state: number, flat: unknown[] | Int32Array | Float64Array | PackedFlat];

/** The MessagePack of a flatEntries array, as FrozenState.packedGroup gives it. */
class PackedFlat {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * A body: the MessagePack of [[state, flatEntries], ...], with the parts that are packed already
 * copied in as they are (the same bytes a packer writes for the array around them), assembled in
 * `writer` and kept in `arena`.
 */
function packBody(parts: readonly BodyPart[], writer: MessagePackWriter, arena: ByteArena): Uint8Array {
  if (!parts.some(([, flat]) => flat instanceof PackedFlat)) return plainPackr.pack(parts);
  writer.reset();
  writer.arrayHeader(parts.length);
  for (const [state, flat] of parts) {
    writer.arrayHeader(2);
    writer.number(state);
    writer.raw(flat instanceof PackedFlat ? flat.bytes : plainPackr.pack(flat));
  }
  return arena.copy(writer.bytes());
}

/** The length of the MessagePack header of an array that starts with `first`. */
function arrayHeaderLength(first: number): number {
  if (first >= 0x90 && first <= 0x9f) return 1;
  if (first === 0xdc) return 3;
  if (first === 0xdd) return 5;
  throw internalError(`MessagePack of an array starts with 0x${first.toString(16)}`);
}

/** Reads format 1. */
const v1Packr = new Packr({ structuredClone: true, useRecords: false });

/**
 * The typed arrays numeric pairs are gathered in, per state, kept for the whole snapshot: a group's
 * pairs are encoded (copied) before the next group's are gathered.
 */
export class PairBuffers {
  ints = new Int32Array(0);
  floats = new Float64Array(0);
  /**
   * The slots of a group that is not all numbers (see flatten), reused from group to group so that
   * writing a group does not grow a new array entry by entry; emptied by `forget` once packed, so
   * that it keeps no value alive.
   */
  readonly slots: unknown[] = [];
  /** Entries written as MessagePack straight from numeric records, and the flatEntries they go into (see flattenForBody). */
  readonly packed = new MessagePackWriter();
  readonly flatBytes = new MessagePackWriter();

  /** Drops the values `slots` holds, keeping its length (and so its backing store) for the next group. */
  forget(): void {
    this.slots.fill(undefined);
  }

  /**
   * `ints` with room for `length` numbers. Made a quarter larger than asked when it grows: a
   * group's entries plus its pre-image's grow from group to group while a snapshot is written under
   * updates, and each new array is memory V8 counts towards its next full collection.
   */
  intsFor(length: number): Int32Array {
    if (this.ints.length < length) this.ints = new Int32Array(length + (length >> 2));
    return this.ints;
  }

  /** As `intsFor`, for `floats`. */
  floatsFor(length: number): Float64Array {
    if (this.floats.length < length) this.floats = new Float64Array(length + (length >> 2));
    return this.floats;
  }
}

/**
 * Keys and values all numbers (counts, sums): the group's pairs as a view of one of `buffers`,
 * several times faster to encode than generic arrays; 32-bit integers when every number is one,
 * else float64. Undefined when some key or value is not a number.
 */
function numericPairs(group: FrozenGroup<unknown>, buffers: PairBuffers): Int32Array | Float64Array | undefined {
  const length = group.sizeBound * 2;
  // Filled as 32-bit integers while every number is one (the common case: half the bytes to
  // encode), switching to float64 at the first that is not. Taken from the buffers only at the
  // first entry that is numbers, so a group of objects makes none larger.
  let ints: Int32Array = buffers.ints;
  let floats: Float64Array = buffers.floats;
  let wide = false;
  let numeric = true;
  let i = 0;
  group.forEach((value, key) => {
    if (!numeric) return false;
    if (typeof key !== "number" || typeof value !== "number") {
      numeric = false;
      return false;
    }
    if (!wide && ((key | 0) !== key || (value | 0) !== value || Object.is(key, -0) || Object.is(value, -0))) {
      floats = buffers.floatsFor(length);
      for (let j = 0; j < i; j++) floats[j] = ints[j]!;
      wide = true;
    } else if (i === 0 && !wide) ints = buffers.intsFor(length);
    if (wide) {
      floats[i++] = key;
      floats[i++] = value;
    } else {
      ints[i++] = key;
      ints[i++] = value;
    }
    return true;
  });
  if (!numeric) return undefined;
  return wide ? floats.subarray(0, i) : ints.subarray(0, i);
}

/** Names an entry for WEIR_ERR_VALUE_NOT_SERIALIZABLE. */
export function describeEntry(state: Pick<FrozenState, "name" | "kind">, key: unknown, part: string): string {
  let shown: string;
  try {
    shown = JSON.stringify(key) ?? String(key);
  } catch {
    shown = String(key);
  }
  return `${state.kind} state '${state.name}' under key ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}${part}`;
}

/**
 * Where the entry being flattened is, for WEIR_ERR_VALUE_NOT_SERIALIZABLE: one object per group
 * written, whose `describe` the value codec calls only when a value cannot be written (a function
 * per slot, capturing its key, was most of what writing a group allocated).
 */
class EntryPlace {
  key: NormalizedKey = undefined;
  /** What of the entry is being written: its key, a map key, or the value (at `mapKey` of a map). */
  part: "key" | "map key" | "value" = "value";
  mapKey: unknown = undefined;
  inMap = false;

  constructor(private readonly state: Pick<FrozenState, "name" | "kind">) {}

  readonly describe = (): string => {
    const part = this.part === "key" ? ", the key itself," : this.part === "map key" ? " (a map key)" : this.inMap ? ` at map key ${JSON.stringify(this.mapKey)}` : "";
    return describeEntry(this.state, this.key, part);
  };
}

/**
 * The group's entries in the body's form; an empty array when it has none. A body that is not all
 * numbers is `buffers.slots`, valid until the next call with the same buffers (and to be packed,
 * then `buffers.forget()`, before it).
 */
export function flatten(state: Pick<FrozenState, "name" | "kind" | "namespaced" | "filter">, group: FrozenGroup<unknown>, buffers: PairBuffers): unknown[] | Int32Array | Float64Array {
  return numericBody(state, group, buffers) ?? (slotsOf(state, group, buffers, false) as unknown[]);
}

/**
 * As flatten, for a snapshot's body: the copies a group keeps as numeric records (see
 * FrozenGroup.forEachWithRecords) are written as MessagePack straight from their numbers, and the
 * group comes as the MessagePack of its flatEntries then.
 */
function flattenForBody(state: FrozenState, group: FrozenGroup<unknown>, buffers: PairBuffers): unknown[] | Int32Array | Float64Array | PackedFlat {
  return numericBody(state, group, buffers) ?? slotsOf(state, group, buffers, group.forEachWithRecords !== undefined && state.filter === undefined && state.kind !== "map");
}

function numericBody(state: Pick<FrozenState, "kind" | "namespaced" | "filter">, group: FrozenGroup<unknown>, buffers: PairBuffers): Int32Array | Float64Array | undefined {
  const { kind, filter } = state;
  return filter === undefined && kind !== "map" && kind !== "list" && !state.namespaced ? numericPairs(group, buffers) : undefined;
}

/** The group's entries as value-codec slots; with `records`, its numeric records packed apart and spliced in (a PackedFlat) when there are some. */
function slotsOf(state: Pick<FrozenState, "name" | "kind" | "filter">, group: FrozenGroup<unknown>, buffers: PairBuffers, records: boolean): unknown[] | PackedFlat {
  const { kind, filter } = state;
  const flat = buffers.slots;
  const place = new EntryPlace(state);
  const where = place.describe;
  let n = 0;
  const visit = (stored: unknown, key: NormalizedKey): void => {
    const value = filter === undefined ? stored : filter(stored);
    if (value === undefined) return;
    place.key = key;
    place.part = "key";
    place.inMap = false;
    flat[n++] = toSlot(key, where);
    if (kind === "map") {
      const inner: unknown[] = [];
      for (const [k, e] of value as UserMap<unknown, unknown>) {
        place.part = "map key";
        inner.push(toSlot(k, where), toSlot(e.key, where));
        place.part = "value";
        place.inMap = true;
        place.mapKey = k;
        inner.push(toSlot(e.value, where));
      }
      flat[n++] = inner;
    } else {
      place.part = "value";
      flat[n++] = toSlot(value, where);
    }
  };
  if (!records) {
    group.forEach(visit);
    flat.length = n;
    return flat;
  }
  // Flat number records, the stored objects and the copies kept as numbers, are written straight
  // into `packed`; the other entries go through the slots and the codec's packer.
  const packed = buffers.packed;
  packed.reset();
  let packedEntries = 0;
  const packKey = (key: NormalizedKey): number => {
    const start = packed.length;
    place.key = key;
    place.part = "key";
    place.inMap = false;
    const keySlot = toSlot(key, where);
    if (typeof keySlot === "number") packed.number(keySlot);
    else packed.raw(plainPackr.pack(keySlot));
    return start;
  };
  group.forEachWithRecords!(
    (stored, key) => {
      if (typeof stored === "object" && stored !== null) {
        const start = packKey(key);
        if (writePackedRecord(stored, packed)) {
          packedEntries++;
          return;
        }
        packed.truncate(start);
      }
      visit(stored, key);
    },
    (numbers, at, key) => {
      const start = packKey(key);
      if (numbers.writePacked(at, packed)) {
        packedEntries++;
        return;
      }
      packed.truncate(start);
      visit(numbers.read(at), key);
    },
  );
  flat.length = n;
  if (packedEntries === 0) return flat;
  const out = buffers.flatBytes;
  out.reset();
  out.arrayHeader(n + 2 * packedEntries);
  if (n > 0) {
    const slots = plainPackr.pack(flat);
    out.raw(slots.subarray(arrayHeaderLength(slots[0]!)));
  }
  out.raw(packed.bytes());
  return new PackedFlat(out.bytes());
}

/**
 * Calls `visit` with each entry of a body in stored form, without making a pair per entry;
 * `slots` says whether keys and values are value-codec slots (format 2).
 */
function forEachFlatEntry(kind: StateKind, flat: readonly unknown[] | Int32Array | Float64Array, slots: boolean, where: string, visit: (key: NormalizedKey, value: unknown) => void): void {
  if (flat instanceof Float64Array || flat instanceof Int32Array) {
    for (let i = 0; i < flat.length; i += 2) visit(flat[i]!, flat[i + 1]!);
    return;
  }
  const read = slots ? (slot: unknown) => fromSlot(slot, where) : (value: unknown) => value;
  for (let i = 0; i < flat.length; i += 2) {
    let value = flat[i + 1];
    if (kind === "map") {
      const inner = value as unknown[];
      const map: UserMap<unknown, unknown> = new Map();
      for (let j = 0; j < inner.length; j += 3) map.set(read(inner[j]) as NormalizedKey, new UserMapEntry(read(inner[j + 1]), read(inner[j + 2])));
      value = map;
    } else {
      value = read(value);
    }
    visit(read(flat[i]) as NormalizedKey, value);
  }
}

/** Entries of a body in stored form; `slots` says whether keys and values are value-codec slots (format 2). */
function unflatten(kind: StateKind, flat: readonly unknown[] | Int32Array | Float64Array, slots: boolean, where: string): [NormalizedKey, unknown][] {
  const entries: [NormalizedKey, unknown][] = [];
  forEachFlatEntry(kind, flat, slots, where, (key, value) => entries.push([key, value]));
  return entries;
}

/**
 * One state's restored entries in one key group, at one schema version: the sections' bodies as
 * decoded, turned into stored entries only when read, so that a table can load them straight from
 * the (often typed-array) bodies without a pair per entry (the pairs and the lists holding them
 * were most of a restore's cost). Entries added one by one (re-bucketed from a snapshot of another
 * max parallelism) are kept as numbers while they are numbers, so they load as numeric pairs too.
 * Iterating makes the pairs, for those who want them. Changes snapshots (incremental checkpoints)
 * edit the entries by key: `edit` turns them into a map once, a NumberMap while every entry is
 * numbers, which later bodies and entries go into and which the table loading them takes over.
 */
export class RestoredEntries implements Iterable<[NormalizedKey, unknown]> {
  private readonly bodies: { readonly flat: unknown[] | Int32Array | Float64Array; readonly slots: boolean; readonly where: string }[] = [];
  /** Entries added one by one while all were numbers: [key, value, key, value, ...]; then empty. */
  private numbers: number[] = [];
  /** Entries added one by one since one was not numbers, those before it first. */
  private readonly pairs: [NormalizedKey, unknown][] = [];
  private map: EntryMap<unknown> | undefined;

  constructor(private readonly kind: StateKind) {}

  addBody(flat: unknown[] | Int32Array | Float64Array, slots: boolean, where: string): void {
    if (this.map !== undefined) forEachFlatEntry(this.kind, flat, slots, where, (key, value) => this.set(key, value));
    else this.bodies.push({ flat, slots, where });
  }

  add(key: NormalizedKey, value: unknown): void {
    if (this.map !== undefined) this.set(key, value);
    else if (this.pairs.length === 0 && NumberMap.holds(key, value)) this.numbers.push(key as number, value as number);
    else {
      this.movePairsOut();
      this.pairs.push([key, value]);
    }
  }

  /**
   * Turns the entries into a map by key, from now on the only copy of them, which `set` and
   * `delete` change: a NumberMap while every entry is numbers.
   */
  edit(): void {
    if (this.map !== undefined) return;
    const empty = this.bodies.length === 0 && this.numbers.length === 0 && this.pairs.length === 0;
    const pairs = this.numericPairs();
    let map: EntryMap<unknown> | undefined = empty ? new NumberMap() : pairs === undefined ? undefined : NumberMap.fromPairs(pairs);
    if (map === undefined) {
      const entries = new Map<NormalizedKey, unknown>();
      this.forEachEntry((key, value) => entries.set(key, value));
      map = entries;
    }
    this.bodies.length = 0;
    this.numbers = [];
    this.pairs.length = 0;
    this.map = map;
  }

  /** Puts an entry into the map `edit` made. */
  set(key: NormalizedKey, value: unknown): void {
    let map = this.map!;
    if (map instanceof NumberMap && !NumberMap.holds(key, value)) {
      const entries = new Map<NormalizedKey, unknown>();
      map.forEach((v, k) => entries.set(k, v));
      this.map = map = entries;
    }
    map.set(key, value as number);
  }

  /** Removes an entry from the map `edit` made. */
  delete(key: NormalizedKey): void {
    this.map!.delete(key);
  }

  /** The keys of the map `edit` made (safe to delete from while iterating). */
  editedKeys(): Iterable<NormalizedKey> {
    return this.map!.keys();
  }

  /** The map `edit` made, for a table to keep as its own; undefined when the entries were not edited. */
  takeMap(): EntryMap<unknown> | undefined {
    return this.map;
  }

  /** The entries as typed arrays of pairs, in order, when every body is one and none that were added one by one is other than numbers. */
  numericPairs(): (Int32Array | Float64Array)[] | undefined {
    if (this.map !== undefined || this.pairs.length > 0) return undefined;
    const typed: (Int32Array | Float64Array)[] = [];
    for (const { flat } of this.bodies) {
      if (!(flat instanceof Int32Array || flat instanceof Float64Array)) return undefined;
      typed.push(flat);
    }
    if (this.numbers.length > 0) typed.push(pairsArray(this.numbers));
    return typed.length === 0 ? undefined : typed;
  }

  /** Calls `visit` with each entry, the bodies' in order, then those added one by one. */
  forEachEntry(visit: (key: NormalizedKey, value: unknown) => void): void {
    if (this.map !== undefined) {
      this.map.forEach((value, key) => visit(key, value));
      return;
    }
    for (const { flat, slots, where } of this.bodies) forEachFlatEntry(this.kind, flat, slots, where, visit);
    const numbers = this.numbers;
    for (let i = 0; i < numbers.length; i += 2) visit(numbers[i]!, numbers[i + 1]!);
    for (const [key, value] of this.pairs) visit(key, value);
  }

  [Symbol.iterator](): Iterator<[NormalizedKey, unknown]> {
    const entries: [NormalizedKey, unknown][] = [];
    this.forEachEntry((key, value) => entries.push([key, value]));
    return entries[Symbol.iterator]();
  }

  /** Moves the numeric entries added one by one into `pairs`, ahead of what follows. */
  private movePairsOut(): void {
    const numbers = this.numbers;
    for (let i = 0; i < numbers.length; i += 2) this.pairs.push([numbers[i]!, numbers[i + 1]!]);
    this.numbers = [];
  }
}

/** Numbers as pairs for NumberMap.fromPairs: 32-bit integers when all are (and no -0), else float64. */
function pairsArray(numbers: readonly number[]): Int32Array | Float64Array {
  for (const n of numbers) if ((n | 0) !== n || Object.is(n, -0)) return Float64Array.from(numbers);
  return Int32Array.from(numbers);
}

/** The header of formats 3 and changes 1, packed. */
export function snapshotHeader(range: KeyGroupRange, maxParallelism: number, states: readonly Pick<FrozenState, "name" | "kind" | "namespaced" | "version">[]): Uint8Array {
  return plainPackr.pack({ maxParallelism, range: [range.start, range.end], states: states.map((s) => [s.name, s.kind, s.namespaced ? 1 : 0, s.version]) });
}

/** The snapshot's bytes: marker, header, then one section (key group, length, body) per body. */
export function assembleSnapshot(magic: number, header: Uint8Array, groups: readonly number[], bodies: readonly Uint8Array[]): Uint8Array {
  let length = 8 + header.length;
  for (const body of bodies) length += 8 + body.length;
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32LE(magic, 0);
  out.writeUInt32LE(header.length, 4);
  out.set(header, 8);
  let at = 8 + header.length;
  for (let i = 0; i < bodies.length; i++) {
    const bytes = bodies[i]!;
    out.writeUInt32LE(groups[i]!, at);
    out.writeUInt32LE(bytes.length, at + 4);
    out.set(bytes, at + 8);
    at += 8 + bytes.length;
  }
  return out;
}

export class HeapSnapshot implements KeyedStateSnapshot {
  /** Key groups (by position) not yet released back to the live state. */
  private readonly held: Uint8Array;
  /** Where bodies assembled from packed parts are kept until the result is (see ByteArena). */
  private readonly arena = new ByteArena();

  constructor(
    private readonly range: KeyGroupRange,
    private readonly maxParallelism: number,
    private readonly states: readonly FrozenState[],
  ) {
    this.held = new Uint8Array(range.end - range.start + 1).fill(1);
  }

  private releaseGroup(index: number): void {
    if (this.held[index] === 0) return;
    this.held[index] = 0;
    for (const state of this.states) state.table.release(index);
  }

  /**
   * Encodes each group's body once, and copies all of them once into the result: the packers'
   * output is never overwritten (each call writes past the last one, in a new buffer when full),
   * so the bodies are kept as views of it.
   */
  *write(): Generator<void, Uint8Array, void> {
    const header = snapshotHeader(this.range, this.maxParallelism, this.states);
    const groups: number[] = [];
    const bodies: Uint8Array[] = [];
    const buffers = this.states.map(() => new PairBuffers());
    const bodyWriter = new MessagePackWriter();
    const arena = this.arena;
    for (let group = this.range.start; group <= this.range.end; group++) {
      const index = group - this.range.start;
      if (this.held[index] === 0) throw internalError(`a keyed state snapshot was written after it was released (key group ${group})`);
      const body: BodyPart[] = [];
      for (let s = 0; s < this.states.length; s++) {
        const state = this.states[s]!;
        const packed = state.packedGroup?.(index) ?? (state.packedGroup === undefined ? "decode" : undefined);
        if (packed === undefined) continue;
        if (packed !== "decode") {
          body.push([s, new PackedFlat(packed)]);
          continue;
        }
        const frozen = state.table.group(index);
        if (frozen === undefined) continue;
        const flat = flattenForBody(state, frozen, buffers[s]!);
        if (!(flat instanceof PackedFlat) && flat.length === 0) continue;
        body.push([s, flat]);
      }
      // Packed before the release: a body is a view of the buffers, reused by the next group.
      const bytes = body.length === 0 ? undefined : packBody(body, bodyWriter, arena);
      for (const b of buffers) b.forget();
      this.releaseGroup(index);
      if (bytes === undefined) continue;
      groups.push(group);
      bodies.push(bytes);
      yield;
    }
    const bytes = assembleSnapshot(MAGIC, header, groups, bodies);
    arena.release();
    return bytes;
  }

  release(): void {
    for (let i = 0; i < this.held.length; i++) this.releaseGroup(i);
    this.arena.release();
  }
}

export interface RestoredState {
  readonly kind: StateKind;
  readonly namespaced: boolean;
  /** Per schema version: entries per key group, in stored form when read. */
  readonly versions: Map<number, Map<number, RestoredEntries>>;
}

/** A state as a snapshot's header lists it. */
export interface SnapshotStateInfo {
  readonly name: string;
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly version: number;
}

type HeaderState = [name: string, kind: StateKind, namespaced?: 0 | 1, version?: number];

/** The states `bytes` holds, as its header lists them, without reading its entries; `from` names the bytes in errors. */
export function keyedSnapshotStates(bytes: Uint8Array, from = "a keyed state snapshot"): SnapshotStateInfo[] {
  return readHeader(bytes, from).states;
}

function corruption(from: string): (detail: string, cause?: unknown) => WeirError {
  return (detail, cause) =>
    new WeirError("WEIR_ERR_STATE_CORRUPT", `keyed state in ${from} is unreadable: ${detail}${cause === undefined ? "" : ` (${cause instanceof Error ? cause.message : String(cause)})`}`, { cause });
}

function readHeader(bytes: Uint8Array, from: string): { states: SnapshotStateInfo[]; maxParallelism: number | undefined; slots: boolean; packr: Packr; bodyStart: number; changes: boolean } {
  const corrupt = corruption(from);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.byteLength < 8 ? undefined : view.getUint32(0, true);
  if (magic !== MAGIC && magic !== MAGIC_CHANGES && magic !== MAGIC_V2 && magic !== MAGIC_V1) throw corrupt("it does not start with the keyed-state format marker");
  const slots = magic !== MAGIC_V1;
  const packr = slots ? plainPackr : v1Packr;
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.byteLength) throw corrupt("the header is truncated");
  let header: { maxParallelism?: number; states: HeaderState[] };
  try {
    header = packr.unpack(bytes.subarray(8, 8 + headerLength)) as typeof header;
  } catch (e) {
    throw corrupt("the header cannot be decoded", e);
  }
  if (header === null || typeof header !== "object" || !Array.isArray(header.states)) throw corrupt("the header does not list its states");
  const states = header.states.map(([name, kind, flag, version]): SnapshotStateInfo => {
    // Formats 1 and 2 wrote no version: every state was at version 1.
    const at = magic === MAGIC || magic === MAGIC_CHANGES ? version : 1;
    if (!Number.isSafeInteger(at) || at! < 1) throw corrupt(`state '${name}' has no valid schema version`);
    return { name, kind, namespaced: flag === 1, version: at! };
  });
  return { states, maxParallelism: header.maxParallelism, slots, packr, bodyStart: 8 + headerLength, changes: magic === MAGIC_CHANGES };
}

/** A keyed state snapshot opened for reading: its header checked, its sections not yet decoded. */
interface OpenedSnapshot {
  readonly maxParallelism: number | undefined;
  /** Changes (format "WKD1"): each state's part is [state, flat puts, removed keys], applied over what came before. */
  readonly changes: boolean;
  readonly states: readonly SnapshotStateInfo[];
  /** Each key-group section, in file order: its key group and the bytes of its body. */
  sections(): Generator<{ readonly group: number; readonly body: Uint8Array }, void, void>;
  /** A section's body: per state (by index into `states`), its flat entries (and, for changes, the removed keys' slots). */
  decode(group: number, body: Uint8Array): [number, unknown[] | Int32Array | Float64Array, unknown[]?][];
  /** Removed keys' slots as normalized keys. */
  keys(slots: unknown, group: number): NormalizedKey[];
  /** The flat entries as stored entries. */
  unflatten(kind: StateKind, flat: unknown[] | Int32Array | Float64Array, group: number): [NormalizedKey, unknown][];
  /** Calls `visit` with each of the flat entries as a stored entry, without a pair per entry. */
  forEach(kind: StateKind, flat: unknown[] | Int32Array | Float64Array, group: number, visit: (key: NormalizedKey, value: unknown) => void): void;
  /** Adds the flat entries to `into` unread. */
  keep(into: RestoredEntries, flat: unknown[] | Int32Array | Float64Array, group: number): void;
  /** The bytes `flat` takes in its section. */
  sizeOf(flat: unknown[] | Int32Array | Float64Array): number;
  corrupt(detail: string, cause?: unknown): WeirError;
}

function openKeyedSnapshot(bytes: Uint8Array, from: string): OpenedSnapshot {
  const corrupt = corruption(from);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(bytes, from);
  const { slots, packr } = header;
  return {
    maxParallelism: header.maxParallelism,
    changes: header.changes,
    states: header.states,
    *sections() {
      let at = header.bodyStart;
      while (at < bytes.byteLength) {
        if (at + 8 > bytes.byteLength) throw corrupt(`a key-group section at byte ${at} is truncated`);
        const group = view.getUint32(at, true);
        const end = at + 8 + view.getUint32(at + 4, true);
        if (end > bytes.byteLength) throw corrupt(`the section of key group ${group} is truncated`);
        yield { group, body: bytes.subarray(at + 8, end) };
        at = end;
      }
    },
    decode(group, body) {
      let decoded: [number, unknown[] | Int32Array | Float64Array][];
      try {
        decoded = packr.unpack(body) as typeof decoded;
      } catch (e) {
        throw corrupt(`the section of key group ${group} cannot be decoded`, e);
      }
      if (!Array.isArray(decoded)) throw corrupt(`the section of key group ${group} is not a list of states`);
      return decoded;
    },
    unflatten: (kind, flat, group) => unflatten(kind, flat, slots, `keyed state in ${from}, key group ${group}`),
    forEach: (kind, flat, group, visit) => forEachFlatEntry(kind, flat, slots, `keyed state in ${from}, key group ${group}`, visit),
    keep: (into, flat, group) => into.addBody(flat, slots, `keyed state in ${from}, key group ${group}`),
    keys: (removed, group) => {
      if (!Array.isArray(removed)) throw corrupt(`the changes of key group ${group} list no removed keys`);
      return removed.map((slot) => fromSlot(slot, `keyed state in ${from}, key group ${group}`) as NormalizedKey);
    },
    sizeOf: (flat) => packr.pack(flat).length,
    corrupt,
  };
}

/**
 * Reads the entries of `bytes` whose key groups fall in `range` into `into`, per state name and
 * schema version; `from` names the bytes (their file) in errors. When the snapshot was written
 * with another max parallelism than `maxParallelism`, its key groups mean nothing here: every
 * section is read and each entry goes to the key group its key has now (namespaced entries by the
 * key of their (key, namespace) pair), which costs a hash per entry and reading the whole snapshot
 * instead of the sections in range.
 */
export function readKeyedSnapshot(bytes: Uint8Array, range: KeyGroupRange, into: Map<string, RestoredState>, maxParallelism: number, from = "a keyed state snapshot"): void {
  const snapshot = openKeyedSnapshot(bytes, from);
  const states = snapshot.states.map(({ name, kind, namespaced, version }): RestoringState => {
    let restored = into.get(name);
    if (restored === undefined) into.set(name, (restored = { kind, namespaced, versions: new Map() }));
    else if (restored.kind !== kind || restored.namespaced !== namespaced) throw snapshot.corrupt(`state '${name}' is ${kind} state in one snapshot and ${restored.kind} state in another, or namespaced in only one`);
    let groups = restored.versions.get(version);
    if (groups === undefined) restored.versions.set(version, (groups = new Map()));
    return { kind, namespaced, groups };
  });
  const rebucket = snapshot.maxParallelism !== maxParallelism;
  /** The key group a key (of an entry, or removed) goes to here, or -1 when outside the range. */
  const target = (state: RestoringState, key: NormalizedKey, group: number, entryKey: boolean): number => {
    if (!rebucket) return group;
    const now = keyGroupOfNormalizedKey(state.namespaced && entryKey ? splitNamespacedEntryKey(key)[0] : key, maxParallelism);
    return now < range.start || now > range.end ? -1 : now;
  };
  for (const { group, body } of snapshot.sections()) {
    if (!rebucket && (group < range.start || group > range.end)) continue;
    for (const [s, flat, removed] of snapshot.decode(group, body)) {
      const state = states[s];
      if (state === undefined) throw snapshot.corrupt(`key group ${group} refers to unknown state #${s}`);
      if (snapshot.changes) {
        const removedKeys = snapshot.keys(removed, group);
        const byGroup = new Map<number, Set<NormalizedKey>>();
        for (const key of removedKeys) {
          const now = target(state, key, group, false);
          if (now < 0) continue;
          let keys = byGroup.get(now);
          if (keys === undefined) byGroup.set(now, (keys = new Set()));
          keys.add(key);
        }
        for (const [now, keys] of byGroup) removeKeys(state, now, keys);
        if (!rebucket) {
          // Every entry stays in this group: its map is made (or found) once, not per entry.
          if (flat.length === 0) continue;
          const entries = entriesOf(state, group);
          entries.edit();
          snapshot.forEach(state.kind, flat, group, (key, value) => entries.set(key, value));
          continue;
        }
        snapshot.forEach(state.kind, flat, group, (key, value) => {
          const now = target(state, key, group, true);
          if (now < 0) return;
          const entries = entriesOf(state, now);
          entries.edit();
          entries.set(key, value);
        });
        continue;
      }
      if (rebucket) {
        snapshot.forEach(state.kind, flat, group, (key, value) => {
          const now = target(state, key, group, true);
          if (now >= 0) entriesOf(state, now).add(key, value);
        });
        continue;
      }
      snapshot.keep(entriesOf(state, group), flat, group);
    }
  }
}

interface RestoringState {
  readonly kind: StateKind;
  readonly namespaced: boolean;
  readonly groups: Map<number, RestoredEntries>;
}

function entriesOf(state: RestoringState, group: number): RestoredEntries {
  let entries = state.groups.get(group);
  if (entries === undefined) state.groups.set(group, (entries = new RestoredEntries(state.kind)));
  return entries;
}

/** Removes the keys' entries from the group: a namespaced state's keys with all their namespaces. */
function removeKeys(state: RestoringState, group: number, keys: ReadonlySet<NormalizedKey>): void {
  const entries = state.groups.get(group);
  if (entries === undefined) return;
  entries.edit();
  if (!state.namespaced) {
    for (const key of keys) entries.delete(key);
    return;
  }
  for (const entryKey of entries.editedKeys()) if (keys.has(splitNamespacedEntryKey(entryKey)[0])) entries.delete(entryKey);
}

/** The states a keyed snapshot holds, as its header lists them (those without entries too). */
export type KeyedSnapshotState = SnapshotStateInfo;

/** One state's entries in one key group of a keyed snapshot. */
export interface KeyedSnapshotPart {
  readonly state: KeyedSnapshotState;
  readonly group: number;
  /** How many entries the part holds, without decoding them. */
  readonly count: number;
  /** The bytes the entries take in the snapshot. */
  readonly bytes: number;
  /** The entries in stored form (see `RestoredState`), decoded on each call. */
  entries(): [NormalizedKey, unknown][];
}

/**
 * Every part of a keyed snapshot, key group by key group as written, for reading it offline: the
 * same decoding a restore does, without a backend. `from` names the bytes in errors.
 */
export function scanKeyedSnapshot(bytes: Uint8Array, from = "a keyed state snapshot"): { readonly states: readonly KeyedSnapshotState[]; parts(): Generator<KeyedSnapshotPart, void, void> } {
  const snapshot = openKeyedSnapshot(bytes, from);
  if (snapshot.changes) throw snapshot.corrupt("it holds the changes of an incremental checkpoint, which are read only over the snapshot they apply to: restore it into a job (or take a savepoint of one) instead");
  const states = snapshot.states;
  return {
    states,
    *parts() {
      for (const { group, body } of snapshot.sections()) {
        for (const [s, flat] of snapshot.decode(group, body)) {
          const state = states[s];
          if (state === undefined) throw snapshot.corrupt(`key group ${group} refers to unknown state #${s}`);
          const pairs = flat.length / 2;
          yield { state, group, count: pairs, bytes: snapshot.sizeOf(flat), entries: () => snapshot.unflatten(state.kind, flat, group) };
        }
      }
    },
  };
}
