/**
 * How the disk backend stores one entry's value: the heap backend's stored form of the state's
 * kind (see HeapKeyedStateBackend: map state as a UserMap, namespaced state as a map from
 * normalized namespace to value) written with the value codec, so that snapshots, restores and
 * the TTL cleanup share the heap backend's code for stored forms. A map is written as the flat
 * list [normalized user key, user key, value, ...]; a namespaced entry as [namespace, value, ...].
 * Every read decodes a new copy: nothing a caller does to it reaches the store until written.
 */
import { Buffer } from "node:buffer";
import type { NormalizedKey } from "../../core/key-groups.ts";
import { decodeValue, encodeInt32Value, encodeValue, isInt32Value } from "../../core/value-codec.ts";
import type { StateKind } from "../descriptors.ts";
import { UserMapEntry, type UserMap } from "../heap/heap-map-state.ts";

/** The stored form of one (key, namespace)'s value, as the codec writes it. */
function toPlain(kind: StateKind, value: unknown): unknown {
  if (kind !== "map") return value;
  const flat: unknown[] = [];
  for (const [normalized, entry] of value as UserMap<unknown, unknown>) flat.push(normalized, entry.key, entry.value);
  return flat;
}

function fromPlain(kind: StateKind, plain: unknown): unknown {
  if (kind !== "map") return plain;
  const flat = plain as unknown[];
  const map: UserMap<unknown, unknown> = new Map();
  for (let i = 0; i < flat.length; i += 3) map.set(flat[i] as NormalizedKey, new UserMapEntry(flat[i + 1], flat[i + 2]));
  return map;
}

/** Encodes and decodes the stored values of one state. */
export class StoredForm {
  constructor(
    private readonly kind: StateKind,
    private readonly namespaced: boolean,
    private readonly where: string,
  ) {}

  /** The bytes of a plain state's value, or of a namespaced state's map of one key's namespaces. */
  encode(value: unknown, key: NormalizedKey): Buffer {
    // A count or sum: the codec's bytes without going through it (the same bytes).
    if (isInt32Value(value) && !this.namespaced && this.kind !== "map") return encodeInt32Value(value);
    let plain: unknown;
    if (this.namespaced) {
      const flat: unknown[] = [];
      for (const [namespace, v] of value as ReadonlyMap<NormalizedKey, unknown>) flat.push(namespace, toPlain(this.kind, v));
      plain = flat;
    } else plain = toPlain(this.kind, value);
    const bytes = encodeValue(plain, () => `${this.where} under key ${describe(key)}`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  decode(bytes: Uint8Array): unknown {
    const plain = decodeValue(bytes, this.where);
    if (!this.namespaced) return fromPlain(this.kind, plain);
    const flat = plain as unknown[];
    const namespaces = new Map<NormalizedKey, unknown>();
    for (let i = 0; i < flat.length; i += 2) namespaces.set(flat[i] as NormalizedKey, fromPlain(this.kind, flat[i + 1]));
    return namespaces;
  }
}

function describe(key: NormalizedKey): string {
  const text = typeof key === "string" ? JSON.stringify(key) : String(key);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
