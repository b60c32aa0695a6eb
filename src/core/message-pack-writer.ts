/**
 * MessagePack written by hand into one growing buffer, for values whose form is known without a
 * packer's walk: numbers, map headers, and bytes packed before. It writes the bytes `plainPackr`
 * (value-codec.ts) writes for the same values, so that they can be spliced into what that packer
 * writes around them, and read back by it. Reused: `reset` keeps the buffer.
 */
import { internalError } from "./errors.ts";

const INITIAL_BYTES = 4096;

export class MessagePackWriter {
  private buffer = new Uint8Array(INITIAL_BYTES);
  private view = new DataView(this.buffer.buffer);
  /** Bytes written since the last reset. */
  length = 0;

  reset(): void {
    this.length = 0;
  }

  /** Forgets what was written after the first `length` bytes. */
  truncate(length: number): void {
    this.length = length;
  }

  /** The bytes written since the last reset: a view, valid until the next write or reset. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /**
   * A number as plainPackr writes it: integers of 32 bits in their smallest form, others as
   * float64. Not -0, which plainPackr writes as 0 (the value codec writes it otherwise).
   */
  number(value: number): void {
    this.room(9);
    const b = this.buffer;
    let at = this.length;
    if (value >>> 0 === value) {
      if (value < 0x80) b[at++] = value;
      else if (value < 0x100) {
        b[at++] = 0xcc;
        b[at++] = value;
      } else if (value < 0x10000) {
        b[at++] = 0xcd;
        b[at++] = value >> 8;
        b[at++] = value & 0xff;
      } else {
        b[at++] = 0xce;
        this.view.setUint32(at, value);
        at += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) b[at++] = 0x100 + value;
      else if (value >= -0x80) {
        b[at++] = 0xd0;
        b[at++] = value + 0x100;
      } else if (value >= -0x8000) {
        b[at++] = 0xd1;
        this.view.setInt16(at, value);
        at += 2;
      } else {
        b[at++] = 0xd2;
        this.view.setInt32(at, value);
        at += 4;
      }
    } else {
      b[at++] = 0xcb;
      this.view.setFloat64(at, value);
      at += 8;
    }
    this.length = at;
  }

  /** The header of a map of `size` entries (as plainPackr writes a plain object's: map 16). */
  mapHeader(size: number): void {
    if (size > 0xffff) throw internalError(`a map of ${size} entries was written with a 16-bit size`);
    this.room(3);
    this.buffer[this.length] = 0xde;
    this.buffer[this.length + 1] = size >> 8;
    this.buffer[this.length + 2] = size & 0xff;
    this.length += 3;
  }

  /** The header of an array of `length` items, in its smallest form (as plainPackr writes it). */
  arrayHeader(length: number): void {
    this.room(5);
    const b = this.buffer;
    let at = this.length;
    if (length < 16) b[at++] = 0x90 | length;
    else if (length < 0x10000) {
      b[at++] = 0xdc;
      b[at++] = length >>> 8;
      b[at++] = length & 0xff;
    } else {
      b[at++] = 0xdd;
      this.view.setUint32(at, length);
      at += 4;
    }
    this.length = at;
  }

  /** MessagePack packed before (one whole value, or several in a row). */
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
