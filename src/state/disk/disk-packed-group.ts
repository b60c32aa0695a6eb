/**
 * A disk state's entries of one key group in the keyed-state snapshot body's form (the MessagePack
 * of flatEntries: [key, value, key, value, ...], see heap-snapshot.ts), made by copying the stored
 * bytes instead of decoding and encoding them again. A value the value codec stored as plain is
 * its MessagePack after a tag byte, which is the slot the snapshot format wants; a number key is
 * written here, any other key through the codec. A group holding a value stored as rich (V8's
 * serialization, whose slot form differs) is left to the decoding path.
 */
import { Buffer } from "node:buffer";
import { plainBodyStart, plainPackr, toSlot } from "../../core/value-codec.ts";
import { keyOfEntry, numberKeyOfEntry } from "./disk-key.ts";

/** Room before the entries for the array header (array32), written once the count is known. */
const HEADER_ROOM = 5;

/** A growing byte buffer, kept between groups (a group's bytes are copied out before the next). */
export class PackedGroupWriter {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private at = HEADER_ROOM;
  private count = 0;

  private reserve(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.at + n));
    this.bytes.copy(grown, 0, 0, this.at);
    this.bytes = grown;
  }

  /**
   * Adds one entry from its store key and stored value; false (adding nothing) when the value was
   * stored as rich.
   */
  add(entryKey: Buffer, stored: Buffer, describe: (key: unknown) => string): boolean {
    const start = plainBodyStart(stored);
    if (start < 0) return false;
    const number = numberKeyOfEntry(entryKey);
    if (number === undefined) {
      const key = keyOfEntry(entryKey);
      this.put(plainPackr.pack(toSlot(key, () => describe(key))));
    } else this.putNumber(number);
    this.putFrom(stored, start);
    this.count += 2;
    return true;
  }

  private put(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** `source` from `start` on; small values byte by byte (Buffer.copy costs more than it moves). */
  private putFrom(source: Buffer, start: number): void {
    const length = source.length - start;
    this.reserve(length);
    if (length > 32) source.copy(this.bytes, this.at, start);
    else {
      const out = this.bytes;
      for (let i = 0, at = this.at; i < length; i++) out[at + i] = source[start + i]!;
    }
    this.at += length;
  }

  /** A number as MessagePack: the smallest integer form for a 32-bit integer, else float64. */
  private putNumber(n: number): void {
    this.reserve(9);
    const out = this.bytes;
    if ((n | 0) === n && !Object.is(n, -0)) {
      if (n >= 0 && n < 128) out[this.at++] = n;
      else if (n < 0 && n >= -32) out[this.at++] = n & 0xff;
      else {
        out[this.at] = 0xd2;
        out.writeInt32BE(n, this.at + 1);
        this.at += 5;
      }
      return;
    }
    out[this.at] = 0xcb;
    out.writeDoubleBE(n, this.at + 1);
    this.at += 9;
  }

  /** The group's bytes (a new copy), or undefined when no entry was added; starts the next group. */
  finish(): Uint8Array | undefined {
    const { count, at } = this;
    this.at = HEADER_ROOM;
    this.count = 0;
    if (count === 0) return undefined;
    const out = Buffer.allocUnsafe(at);
    out[0] = 0xdd;
    out.writeUInt32BE(count, 1);
    this.bytes.copy(out, HEADER_ROOM, HEADER_ROOM, at);
    return out;
  }

  /** Drops what was added for the group (it is written by decoding instead). */
  discard(): void {
    this.at = HEADER_ROOM;
    this.count = 0;
  }
}
