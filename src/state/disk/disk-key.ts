/**
 * The binary keys of the disk backend's entries: key group (u16, big-endian), state id (u16,
 * big-endian), then the normalized key. Key group first, so that one key group's entries, of
 * every state, are one contiguous range of the store (snapshots, restores and rescaling read and
 * write key group by key group), and within it each state's entries are one range too.
 *
 * A normalized key is a tag byte and its payload: undefined, null, false, true (no payload), a
 * number (float64, big-endian; -0 as 0, as maps compare them), a string (its UTF-16 code units,
 * lone surrogates kept), a bigint (its decimal digits). Equal normalized keys give equal bytes and
 * no others do.
 */
import { Buffer } from "node:buffer";
import { WeirError } from "../../core/errors.ts";
import type { NormalizedKey } from "../../core/key-groups.ts";

const PREFIX = 4;
const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const NUMBER = 4;
const STRING = 5;
const BIGINT = 6;

/** The length of a number key's entry key (see `numberEntryKeyInto`). */
export const NUMBER_ENTRY_KEY_LENGTH = PREFIX + 9;

/** The store key of `key`'s entry of state `stateId` in key group `keyGroup`. */
export function entryKey(keyGroup: number, stateId: number, key: NormalizedKey): Buffer {
  switch (typeof key) {
    case "number":
      return numberEntryKeyInto(Buffer.allocUnsafe(NUMBER_ENTRY_KEY_LENGTH), keyGroup, stateId, key);
    case "string": {
      const out = Buffer.allocUnsafe(PREFIX + 1 + key.length * 2);
      writePrefix(out, keyGroup, stateId);
      out[PREFIX] = STRING;
      out.write(key, PREFIX + 1, "utf16le");
      return out;
    }
    case "bigint": {
      const digits = key.toString();
      const out = Buffer.allocUnsafe(PREFIX + 1 + digits.length);
      writePrefix(out, keyGroup, stateId);
      out[PREFIX] = BIGINT;
      out.write(digits, PREFIX + 1, "latin1");
      return out;
    }
    default: {
      const out = Buffer.allocUnsafe(PREFIX + 1);
      writePrefix(out, keyGroup, stateId);
      out[PREFIX] = key === undefined ? UNDEFINED : key === null ? NULL : key ? TRUE : FALSE;
      return out;
    }
  }
}

/**
 * Writes the store key of number `key`'s entry into `out` (NUMBER_ENTRY_KEY_LENGTH bytes) and
 * returns it: the same bytes as `entryKey`, without allocating, for a key only passed to the store.
 */
export function numberEntryKeyInto(out: Buffer, keyGroup: number, stateId: number, key: number): Buffer {
  writePrefix(out, keyGroup, stateId);
  out[PREFIX] = NUMBER;
  out.writeDoubleBE(key === 0 ? 0 : key, PREFIX + 1);
  return out;
}

function writePrefix(out: Buffer, keyGroup: number, stateId: number): void {
  out.writeUInt16BE(keyGroup, 0);
  out.writeUInt16BE(stateId, 2);
}

/** The normalized key an entry key holds. */
export function keyOfEntry(entry: Uint8Array): NormalizedKey {
  const bytes = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  switch (bytes[PREFIX]) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case NUMBER:
      return bytes.readDoubleBE(PREFIX + 1);
    case STRING:
      return bytes.toString("utf16le", PREFIX + 1);
    case BIGINT:
      return BigInt(bytes.toString("latin1", PREFIX + 1));
    default:
      throw new WeirError("WEIR_ERR_STATE_CORRUPT", `the disk state store holds an entry key with unknown tag ${String(bytes[PREFIX])}`);
  }
}

/** The number an entry key holds, or undefined when its key is not a number. */
export function numberKeyOfEntry(entry: Buffer): number | undefined {
  return entry[PREFIX] === NUMBER ? entry.readDoubleBE(PREFIX + 1) : undefined;
}

/** The state id of an entry key. */
export function stateOfEntry(entry: Uint8Array): number {
  return (entry[2]! << 8) | entry[3]!;
}

/** The first key of the range of `stateId`'s entries in `keyGroup` (every state's when undefined). */
export function rangeStart(keyGroup: number, stateId = 0): Buffer {
  const out = Buffer.allocUnsafe(PREFIX);
  writePrefix(out, keyGroup, stateId);
  return out;
}

/** The key just past that range. */
export function rangeEnd(keyGroup: number, stateId?: number): Buffer {
  if (stateId === undefined || stateId === 0xffff) return rangeStart(keyGroup + 1, 0);
  return rangeStart(keyGroup, stateId + 1);
}

/** The most states one backend holds: state ids are u16. */
export const MAX_STATES = 0xffff;
