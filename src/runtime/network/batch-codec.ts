/**
 * Encodes record batches for crossing threads. Each record is written by the rule of the value
 * codec (core/value-codec.ts): it arrives as structuredClone would copy it (Maps, Sets, Dates,
 * bigints, typed arrays, -0, undefined against missing fields, objects shared within the
 * record; a class instance as a plain object of its fields), and a record holding a function, a
 * symbol or a weak collection fails the send with WEIR_ERR_VALUE_NOT_SERIALIZABLE and its path. Records are not shared with each other: two
 * records holding one object arrive holding a copy each.
 *
 * Flat records (fields of numbers, strings, booleans, null, undefined and Dates: see
 * record-shape.ts) are written in columns by code specialised to their shape, learned from the
 * records: a batch is cut into runs of consecutive records of one shape, each written as its
 * field names once, then its numbers and Dates as float64s, its strings as one text (Latin-1 when
 * it is ASCII, else UTF-16, so lone surrogates survive) with each string's length, and its
 * booleans as bytes. Records of no shape go in runs of the generic form.
 *
 * Format: one flag byte. 0: the MessagePack of the array of records. 1: the same with some record
 * a V8 slot (see value-codec's toSlot). 2: runs; bytes 4–8 hold the length H of the runs' MessagePack
 * header, which starts at byte 8, and the runs' sections start at the next multiple of 8 (numbers
 * are aligned to 8 there, lengths to 4). A generic run's section is a batch of form 0 or 1. Each
 * encoded batch is self-contained (a reader needs no earlier batch) and owns its buffer, so it can
 * be transferred without copying.
 */
import { Buffer } from "node:buffer";
import { Packr, Unpackr } from "msgpackr";
import { WeirError } from "../../core/errors.ts";
import { fromSlot, inspectValue, serializeRich } from "../../core/value-codec.ts";
import { isValidShape, RecentStrings, shapeFor, shapeOf, type RecordShape } from "./record-shape.ts";

const PLAIN = 0;
const SLOTS = 1;
const RUNS = 2;
/**
 * The most records in one shaped run. Its text stays below V8's large-object size for records
 * of a few short strings: one string of a whole batch's text costs several times more to build
 * and to read than the same text in pieces.
 */
const MAX_RUN = 256;
/** Where the runs' header starts in a batch of form 2. */
const HEADER_START = 8;

/**
 * A shaped run in the header: count, fields, kinds, whether the text is Latin-1, and the byte
 * offsets (from the sections' start) of its numbers, string ids, dictionary lengths, text and
 * booleans (the text's byte length is the distance to the booleans).
 */
type ShapedRunHeader = [count: number, fields: string[], kinds: string, latin1: 0 | 1, numbers: number, ids: number, lengths: number, text: number, booleans: number];
/** A generic run in the header: count, byte offset and byte length of its batch. */
type GenericRunHeader = [count: number, offset: number, bytes: number];

interface ShapedRun {
  readonly shape: RecordShape;
  readonly count: number;
  readonly numbers: Float64Array;
  /** Per string written, its index in the run's dictionary. */
  readonly ids: Uint32Array;
  /** The length of each string of the dictionary, whose strings are written one after the other as `text`. */
  readonly lengths: Uint32Array;
  readonly text: string;
  readonly latin1: boolean;
  readonly booleans: Uint8Array;
}

interface GenericRun {
  readonly count: number;
  readonly bytes: Uint8Array;
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The runs' header: plain MessagePack, apart from the records' packers. */
const headerPackr = new Packr({ useRecords: false });

export class BatchCodec {
  private readonly packr = new Packr({ useRecords: true, bundleStrings: true });
  private readonly unpackr = new Unpackr({ useRecords: true, bundleStrings: true });
  /** The shape of the last shaped run, tried first for the next record. */
  private shape: RecordShape | undefined;
  /** The run's strings, mostly distinct. */
  private readonly dictionary: string[] = [];
  private readonly recent = new RecentStrings();

  encode(records: readonly unknown[]): Uint8Array {
    const runs: (ShapedRun | GenericRun)[] = [];
    let genericFrom = 0;
    let i = 0;
    while (i < records.length) {
      let shape = this.shape;
      let run = shape === undefined ? undefined : this.shapedRun(shape, records, i);
      if (run === undefined && (shape = shapeOf(records[i])) !== undefined) run = this.shapedRun(shape, records, i);
      if (run === undefined) {
        i++;
        continue;
      }
      this.shape = shape;
      if (genericFrom < i) runs.push(this.genericRun(records, genericFrom, i));
      runs.push(run);
      i += run.count;
      genericFrom = i;
    }
    if (runs.length === 0) return this.encodeGeneric(records, 0);
    if (genericFrom < records.length) runs.push(this.genericRun(records, genericFrom, records.length));
    return assemble(runs);
  }

  decode(bytes: Uint8Array): unknown[] {
    if (bytes[0] !== RUNS) return this.decodeGeneric(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerEnd = HEADER_START + view.getUint32(4, true);
    const runs = headerPackr.unpack(bytes.subarray(HEADER_START, headerEnd)) as (ShapedRunHeader | GenericRunHeader)[];
    const sections = align(headerEnd, 8);
    const records: unknown[] = [];
    for (const run of runs) {
      if (run.length === 3) {
        const [, offset, length] = run;
        for (const record of this.decodeGeneric(bytes.subarray(sections + offset, sections + offset + length))) records.push(record);
      } else {
        decodeShapedRun(bytes, sections, run, records);
      }
    }
    return records;
  }

  /** The records of one shape from `from` on, written in columns; undefined when `records[from]` is not of the shape. */
  private shapedRun(shape: RecordShape, records: readonly unknown[], from: number): ShapedRun | undefined {
    const max = Math.min(records.length - from, MAX_RUN);
    const numbers = new Float64Array(max * shape.numberColumns);
    const booleans = new Uint8Array(max * shape.booleanColumns);
    const ids = new Uint32Array(max * shape.stringColumns);
    const dictionary = this.dictionary;
    this.recent.reset(shape.stringColumns);
    const count = shape.write(records, from, max, numbers, ids, dictionary, this.recent, booleans);
    if (count === 0) return undefined;
    const lengths = new Uint32Array(dictionary.length);
    for (let k = 0; k < dictionary.length; k++) lengths[k] = dictionary[k]!.length;
    const text = dictionary.join("");
    dictionary.length = 0;
    return {
      shape,
      count,
      numbers: count === max ? numbers : numbers.subarray(0, count * shape.numberColumns),
      ids: count === max ? ids : ids.subarray(0, count * shape.stringColumns),
      lengths,
      text,
      latin1: Buffer.byteLength(text, "utf8") === text.length,
      booleans: count === max ? booleans : booleans.subarray(0, count * shape.booleanColumns),
    };
  }

  private genericRun(records: readonly unknown[], from: number, to: number): GenericRun {
    return { count: to - from, bytes: this.encodeGeneric(records.slice(from, to), from) };
  }

  /** Form 0 or 1; `first` is the index in the batch of `records[0]`, for errors. */
  private encodeGeneric(records: readonly unknown[], first: number): Uint8Array {
    let slots: unknown[] | undefined;
    let i = 0;
    const where = () => `record #${first + i + 1} of a batch sent to another thread`;
    for (; i < records.length; i++) {
      const record = records[i];
      if (inspectValue(record, where) === "plain") continue;
      slots ??= records.slice();
      slots[i] = serializeRich(record, where);
    }
    const packed = this.packr.pack(slots ?? records);
    const owned = new Uint8Array(packed.length + 1);
    owned[0] = slots === undefined ? PLAIN : SLOTS;
    owned.set(packed, 1);
    return owned;
  }

  private decodeGeneric(bytes: Uint8Array): unknown[] {
    const records = this.unpackr.unpack(bytes.subarray(1)) as unknown[];
    if (bytes[0] === SLOTS) for (let i = 0; i < records.length; i++) records[i] = fromSlot(records[i], "a batch received from another thread");
    return records;
  }
}

/** Lays the runs out in one buffer of form 2. */
function assemble(runs: readonly (ShapedRun | GenericRun)[]): Uint8Array {
  const headers: (ShapedRunHeader | GenericRunHeader)[] = [];
  let size = 0;
  for (const run of runs) {
    if (!("shape" in run)) {
      headers.push([run.count, size, run.bytes.length]);
      size += run.bytes.length;
      continue;
    }
    const numbers = (size = align(size, 8));
    size += run.numbers.byteLength;
    const ids = size; // a multiple of 8 still
    size += run.ids.byteLength;
    const lengths = size;
    size += run.lengths.byteLength;
    const text = size;
    size += run.text.length * (run.latin1 ? 1 : 2);
    const booleans = size;
    size += run.booleans.length;
    headers.push([run.count, run.shape.fields as string[], run.shape.kinds, run.latin1 ? 1 : 0, numbers, ids, lengths, text, booleans]);
  }
  const header = headerPackr.pack(headers);
  const sections = align(HEADER_START + header.length, 8);
  const out = Buffer.from(new ArrayBuffer(sections + size));
  out[0] = RUNS;
  out.writeUInt32LE(header.length, 4);
  out.set(header, HEADER_START);
  runs.forEach((run, r) => {
    const at = headers[r]!;
    if (!("shape" in run)) {
      out.set(run.bytes, sections + (at as GenericRunHeader)[1]);
      return;
    }
    const [, , , , numbers, ids, lengths, text, booleans] = at as ShapedRunHeader;
    new Float64Array(out.buffer, sections + numbers, run.numbers.length).set(run.numbers);
    new Uint32Array(out.buffer, sections + ids, run.ids.length).set(run.ids);
    new Uint32Array(out.buffer, sections + lengths, run.lengths.length).set(run.lengths);
    out.write(run.text, sections + text, run.latin1 ? "latin1" : "utf16le");
    out.set(run.booleans, sections + booleans);
  });
  return out;
}

function decodeShapedRun(bytes: Uint8Array, sections: number, run: ShapedRunHeader, records: unknown[]): void {
  const [count, fields, kinds, latin1, numbersAt, idsAt, lengthsAt, textAt, booleansAt] = run;
  if (!Array.isArray(fields) || !isValidShape(fields, kinds)) {
    throw new WeirError("WEIR_ERR_INTERNAL", "a batch received from another thread names a record shape it cannot have");
  }
  const shape = shapeFor(fields, kinds);
  const numbers = section(bytes, sections + numbersAt, count * shape.numberColumns, Float64Array);
  const ids = section(bytes, sections + idsAt, count * shape.stringColumns, Uint32Array);
  const lengths = section(bytes, sections + lengthsAt, (textAt - lengthsAt) / 4, Uint32Array);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + sections + textAt, booleansAt - textAt).toString(latin1 === 1 ? "latin1" : "utf16le");
  const dictionary = new Array<string>(lengths.length);
  for (let k = 0, p = 0; k < lengths.length; k++) dictionary[k] = text.slice(p, (p += lengths[k]!));
  const booleans = bytes.subarray(sections + booleansAt, sections + booleansAt + count * shape.booleanColumns);
  shape.build(records, count, numbers, ids, dictionary, booleans);
}

/** `length` elements at byte `offset` of `bytes`: a view where the bytes are aligned for the type (a transferred batch is), else a copy. */
function section<T extends Float64Array | Uint32Array>(bytes: Uint8Array, offset: number, length: number, type: { new (buffer: ArrayBufferLike, offset: number, length: number): T; new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }): T {
  const at = bytes.byteOffset + offset;
  if (at % type.BYTES_PER_ELEMENT === 0) return new type(bytes.buffer, at, length);
  return new type(bytes.slice(offset, offset + length * type.BYTES_PER_ELEMENT).buffer);
}
