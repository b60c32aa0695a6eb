/**
 * MessagePack written by hand into one growing buffer, for values whose form is known without a
 * packer's walk: numbers, map headers, and bytes packed before. It writes the bytes `plainPackr`
 * (value-codec.ts) writes for the same values, so that they can be spliced into what that packer
 * writes around them, and read back by it. Reused: `reset` keeps the buffer.
 */
import { internalError } from "./errors.ts";
import { plainPackr } from "./value-codec.ts";

const INITIAL_BYTES = 4096;
/** Strings up to this long have their MessagePack kept (see `name`), up to NAMES_KEPT of them. */
const NAME_LENGTH = 64;
const NAMES_KEPT = 1024;

export class MessagePackWriter {
  private buffer = new Uint8Array(INITIAL_BYTES);
  private view = new DataView(this.buffer.buffer);
  /** Bytes written since the last reset. */
  length = 0;
  /** The MessagePack of property names written (see `name`). */
  private readonly names = new Map<string, Uint8Array>();

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

  /** Sets the size of the map whose header (see `mapHeader`) starts at `at`. */
  patchMapSize(at: number, size: number): void {
    if (size > 0xffff) throw internalError(`a map of ${size} entries was written with a 16-bit size`);
    this.buffer[at + 1] = size >> 8;
    this.buffer[at + 2] = size & 0xff;
  }

  /**
   * A string as plainPackr writes it, for property names: the MessagePack of short ones is kept
   * from one call to the next, so that writing the same few names over and over packs them once.
   */
  name(value: string): void {
    let packed = this.names.get(value);
    if (packed === undefined) {
      packed = plainPackr.pack(value).slice();
      if (value.length <= NAME_LENGTH) {
        if (this.names.size === NAMES_KEPT) this.names.clear();
        this.names.set(value, packed);
      }
    }
    this.raw(packed);
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
