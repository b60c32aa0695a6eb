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
 * a V8 slot (see value-codec's toSlot). 3: runs; the runs' sections start at byte 16 (numbers are
 * aligned to 8 there, string ids and lengths to 4), and after them comes the runs' MessagePack
 * header (the runs in order, each with the byte offsets of its sections from the batch's start),
 * which starts at the byte that bytes 4–8 hold and is as long as bytes 8–12 say. Sections are
 * written where the batch is sent from, in order, and the header only once every run is written.
 * 2: runs as written before form 3, still read (batches kept in checkpoints): bytes 4–8 hold the
 * length H of the header, which starts at byte 8, and the sections start at the next multiple of
 * 8 after it, offsets counting from there. A generic run's section is a batch of form 0 or 1.
 * Each encoded batch is self-contained (a reader needs no earlier batch) and owns its buffer, so
 * it can be transferred without copying; the buffer may be longer than the batch.
 *
 * A batch may be written in pieces, as its records come (`append`, then `finish`): a shaped run
 * stays open from one piece to the next, so the bytes are those of the batch written at once.
 */
import { Buffer } from "node:buffer";
import { Packr, Unpackr } from "msgpackr";
import { WeirError } from "../../core/errors.ts";
import { fromSlot, inspectValue, serializeRich } from "../../core/value-codec.ts";
import { isValidShape, RecentStrings, shapeFor, shapeOf, type RecordShape } from "./record-shape.ts";

const PLAIN = 0;
const SLOTS = 1;
const RUNS_HEADER_FIRST = 2;
const RUNS = 3;
/**
 * The most records in one shaped run. Its text stays below V8's large-object size for records
 * of a few short strings: one string of a whole batch's text costs several times more to build
 * and to read than the same text in pieces.
 */
const MAX_RUN = 256;
/** Where the runs' header starts in a batch of form 2. */
const HEADER_START = 8;
/** Where the runs' sections start in a batch of form 3. */
const SECTIONS_START = 16;

/**
 * A shaped run in the header: count, fields, kinds, whether the text is Latin-1, and the byte
 * offsets (from the sections' start) of its numbers, string ids (each string's index in the
 * run's dictionary), booleans, dictionary lengths (of each string of the dictionary, written one
 * after the other as the text) and text, and where the text ends.
 */
type ShapedRunHeader = [count: number, fields: string[], kinds: string, latin1: 0 | 1, numbers: number, ids: number, booleans: number, lengths: number, text: number, textEnd: number];
/** A generic run in the header: count, byte offset and byte length of its batch. */
type GenericRunHeader = [count: number, offset: number, bytes: number];
type RunHeader = ShapedRunHeader | GenericRunHeader;

/**
 * The batch an encoder is writing: its runs' sections from SECTIONS_START on, then its header. The
 * buffer goes with the batch; the next batch starts in a new one of about the same size.
 */
class Sections {
  bytes = Buffer.from(new ArrayBuffer(1 << 16));
  size = SECTIONS_START;

  /** The bytes written, as a batch that owns the buffer; writing goes on in a new buffer. */
  handOff(): Uint8Array {
    const batch = new Uint8Array(this.bytes.buffer, 0, this.size);
    this.bytes = Buffer.from(new ArrayBuffer(Math.max(SECTIONS_START, align(this.size + (this.size >> 3), 4096))));
    this.size = SECTIONS_START;
    return batch;
  }

  /** Makes room for `n` more bytes after `size`. */
  reserve(n: number): void {
    if (this.size + n <= this.bytes.length) return;
    const grown = Buffer.from(new ArrayBuffer(Math.max(this.bytes.length * 2, this.size + n)));
    grown.set(this.bytes.subarray(0, this.size));
    this.bytes = grown;
  }

  /** Pads `size` to a multiple of `to`. */
  align(to: number): number {
    const at = align(this.size, to);
    this.reserve(at - this.size);
    this.bytes.fill(0, this.size, at);
    return (this.size = at);
  }
}

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The runs' header: plain MessagePack, apart from the records' packers. */
const headerPackr = new Packr({ useRecords: false });

/** A shaped run being written: its columns, sized for MAX_RUN records from where it starts in the sections. */
interface OpenRun {
  readonly shape: RecordShape;
  /** Where the sections stood before the run (undone if no record goes into it). */
  readonly start: number;
  readonly numbersAt: number;
  readonly idsAt: number;
  readonly booleansAt: number;
  readonly numbers: Float64Array;
  readonly ids: Uint32Array;
  readonly booleans: Uint8Array;
  count: number;
}

export class BatchCodec {
  private readonly packr = new Packr({ useRecords: true, bundleStrings: true });
  private readonly unpackr = new Unpackr({ useRecords: true, bundleStrings: true });
  /** The shape of the last shaped run, tried first for the next record. */
  private shape: RecordShape | undefined;
  /** The run's strings, mostly distinct. */
  private readonly dictionary: string[] = [];
  private readonly recent = new RecentStrings();
  private readonly sections = new Sections();
  /** The shape of the last shaped run decoded. */
  private lastDecoded: RecordShape | undefined;
  /** The batch being written by `append`: its runs so far, in order. */
  private headers: RunHeader[] = [];
  /** The shaped run records are being written into, if any. */
  private run: OpenRun | undefined;
  /** Records of no shape appended since the last shaped run; packed as a generic run when one starts or the batch ends. */
  private generic: unknown[] = [];
  /** Records appended to the batch being written. */
  private appended = 0;

  /** The records as one batch. */
  encode(records: readonly unknown[]): Uint8Array {
    this.append(records, 0, records.length);
    return this.finish();
  }

  /**
   * Writes records `from` up to `to` into the batch being written (one is started by the first
   * append after `finish`): a record's values are read now, so changing it afterwards changes
   * nothing in the batch; records of no shape are read when the batch's next shaped run starts,
   * or when it ends. Records appended in pieces make the same batch as when appended at once.
   */
  append(records: readonly unknown[], from: number, to: number): void {
    try {
      this.appendRecords(records, from, to);
    } catch (e) {
      this.abandon();
      throw e;
    }
  }

  /** The batch of the records appended since the last finish, which starts the next. */
  finish(): Uint8Array {
    try {
      return this.finishBatch();
    } catch (e) {
      this.abandon();
      throw e;
    }
  }

  /** Drops the batch being written (a record of it could not be written). */
  private abandon(): void {
    this.run = undefined;
    this.headers = [];
    this.generic = [];
    this.appended = 0;
    this.sections.size = SECTIONS_START;
  }

  private appendRecords(records: readonly unknown[], from: number, to: number): void {
    if (this.appended === 0) this.sections.size = SECTIONS_START;
    let i = from;
    while (i < to) {
      let run = this.run;
      if (run === undefined) {
        // A record that does not fit the last shape is tested for one before any run is started.
        const record = records[i];
        let shape = this.shape;
        if (shape === undefined || !shape.fits(record)) shape = shapeOf(record);
        if (shape === undefined) {
          this.generic.push(record);
          this.appended++;
          i++;
          continue;
        }
        run = this.openRun(shape);
      }
      const written = run.shape.write(records, i, Math.min(to - i, MAX_RUN - run.count), run.numbers, run.ids, this.dictionary, this.recent, run.booleans, run.count);
      if (written === 0 && run.count === 0) {
        // Not of the shape after all: the record goes the generic way.
        this.sections.size = run.start;
        this.run = undefined;
        this.generic.push(records[i]);
        this.appended++;
        i++;
        continue;
      }
      run.count += written;
      this.appended += written;
      i += written;
      // Records are left when the next one is not of the run's shape.
      if (i < to || run.count === MAX_RUN) this.closeRun();
    }
  }

  private finishBatch(): Uint8Array {
    if (this.run !== undefined) this.closeRun();
    const headers = this.headers;
    const generic = this.generic;
    this.headers = [];
    this.generic = [];
    const count = this.appended;
    this.appended = 0;
    if (headers.length === 0) return this.encodeGeneric(generic);
    if (generic.length > 0) headers.push(this.genericRun(generic, count - generic.length));
    const sections = this.sections;
    const header = headerPackr.pack(headers);
    const headerAt = sections.size;
    sections.reserve(header.length);
    sections.bytes.set(header, headerAt);
    sections.size += header.length;
    const bytes = sections.bytes;
    bytes.fill(0, 0, SECTIONS_START);
    bytes[0] = RUNS;
    bytes.writeUInt32LE(headerAt, 4);
    bytes.writeUInt32LE(header.length, 8);
    return sections.handOff();
  }

  decode(bytes: Uint8Array): unknown[] {
    if (bytes[0] !== RUNS && bytes[0] !== RUNS_HEADER_FIRST) return this.decodeGeneric(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let runs: RunHeader[];
    /** Where the runs' section offsets count from. */
    let sections: number;
    if (bytes[0] === RUNS) {
      const headerAt = view.getUint32(4, true);
      runs = headerPackr.unpack(bytes.subarray(headerAt, headerAt + view.getUint32(8, true))) as RunHeader[];
      sections = 0;
    } else {
      const headerEnd = HEADER_START + view.getUint32(4, true);
      runs = headerPackr.unpack(bytes.subarray(HEADER_START, headerEnd)) as RunHeader[];
      sections = align(headerEnd, 8);
    }
    const records: unknown[] = [];
    for (const run of runs) {
      if (run.length === 3) {
        const [, offset, length] = run;
        for (const record of this.decodeGeneric(bytes.subarray(sections + offset, sections + offset + length))) records.push(record);
      } else {
        decodeShapedRun(bytes, sections, run, this.shapeOfRun(run), records);
      }
    }
    return records;
  }

  /** The shape a run names: the last one again when it names the same (checked and compiled once). */
  private shapeOfRun(run: ShapedRunHeader): RecordShape {
    const [, fields, kinds] = run;
    const last = this.lastDecoded;
    if (last !== undefined && last.kinds === kinds && Array.isArray(fields) && last.fields.length === fields.length && last.fields.every((f, i) => f === fields[i])) return last;
    if (!Array.isArray(fields) || !isValidShape(fields, kinds)) {
      throw new WeirError("WEIR_ERR_INTERNAL", "a batch received from another thread names a record shape it cannot have");
    }
    return (this.lastDecoded = shapeFor(fields, kinds));
  }

  /** Starts a shaped run of `shape`, after the records of no shape appended before it (as a generic run). */
  private openRun(shape: RecordShape): OpenRun {
    // Runs are listed in order; the records of no shape before this run go first.
    if (this.generic.length > 0) {
      this.headers.push(this.genericRun(this.generic, this.appended - this.generic.length));
      this.generic = [];
    }
    const sections = this.sections;
    const start = sections.size;
    const { numberColumns, stringColumns, booleanColumns } = shape;
    const numbersAt = sections.align(8);
    sections.reserve(MAX_RUN * (numberColumns * 8 + stringColumns * 4 + booleanColumns));
    const buffer = sections.bytes.buffer;
    const idsAt = numbersAt + MAX_RUN * numberColumns * 8;
    const booleansAt = idsAt + MAX_RUN * stringColumns * 4;
    this.dictionary.length = 0;
    this.recent.reset(stringColumns);
    this.shape = shape;
    return (this.run = {
      shape,
      start,
      numbersAt,
      idsAt,
      booleansAt,
      numbers: new Float64Array(buffer, numbersAt, MAX_RUN * numberColumns),
      ids: new Uint32Array(buffer, idsAt, MAX_RUN * stringColumns),
      booleans: new Uint8Array(buffer, booleansAt, MAX_RUN * booleanColumns),
      count: 0,
    });
  }

  /** Ends the open run: its columns closed up to its count, then its strings. */
  private closeRun(): void {
    const run = this.run!;
    this.run = undefined;
    const { shape, count, numbersAt, idsAt, booleansAt } = run;
    const { numberColumns, stringColumns, booleanColumns } = shape;
    const sections = this.sections;
    const dictionary = this.dictionary;
    const bytes = sections.bytes;
    const ids = numbersAt + count * numberColumns * 8;
    if (ids !== idsAt) bytes.copyWithin(ids, idsAt, idsAt + count * stringColumns * 4);
    const booleans = ids + count * stringColumns * 4;
    if (booleans !== booleansAt) bytes.copyWithin(booleans, booleansAt, booleansAt + count * booleanColumns);
    sections.size = booleans + count * booleanColumns;
    const lengthsAt = sections.align(4);
    sections.reserve(dictionary.length * 4);
    const lengths = new Uint32Array(sections.bytes.buffer, lengthsAt, dictionary.length);
    for (let k = 0; k < dictionary.length; k++) lengths[k] = dictionary[k]!.length;
    const text = dictionary.join("");
    dictionary.length = 0;
    const latin1 = Buffer.byteLength(text, "utf8") === text.length;
    const textAt = (sections.size = lengthsAt + lengths.byteLength);
    sections.reserve(text.length * (latin1 ? 1 : 2));
    sections.size += sections.bytes.write(text, textAt, latin1 ? "latin1" : "utf16le");
    this.headers.push([count, shape.fields as string[], shape.kinds, latin1 ? 1 : 0, numbersAt, ids, booleans, lengthsAt, textAt, sections.size]);
  }

  /** Packs the records into the sections as one batch of form 0 or 1 (its flag byte, then the packed records); `first` is the index in the batch of `records[0]`. */
  private genericRun(records: readonly unknown[], first: number): GenericRunHeader {
    const { form, packed } = this.packGeneric(records, first);
    const sections = this.sections;
    const at = sections.size;
    sections.reserve(packed.length + 1);
    sections.bytes[at] = form;
    sections.bytes.set(packed, at + 1);
    sections.size += packed.length + 1;
    return [records.length, at, packed.length + 1];
  }

  /** A batch of form 0 or 1 in a buffer of its own. */
  private encodeGeneric(records: readonly unknown[]): Uint8Array {
    const { form, packed } = this.packGeneric(records, 0);
    const owned = new Uint8Array(packed.length + 1);
    owned[0] = form;
    owned.set(packed, 1);
    return owned;
  }

  /**
   * The records' MessagePack (valid until the next pack: copy it) and its form; `first` is the
   * index in the batch of `records[0]`, for errors.
   */
  private packGeneric(records: readonly unknown[], first: number): { form: typeof PLAIN | typeof SLOTS; packed: Uint8Array } {
    let slots: unknown[] | undefined;
    let i = 0;
    const where = () => `record #${first + i + 1} of a batch sent to another thread`;
    for (; i < records.length; i++) {
      const record = records[i];
      if (inspectValue(record, where) === "plain") continue;
      slots ??= records.slice();
      slots[i] = serializeRich(record, where);
    }
    return { form: slots === undefined ? PLAIN : SLOTS, packed: this.packr.pack(slots ?? records) };
  }

  private decodeGeneric(bytes: Uint8Array): unknown[] {
    const records = this.unpackr.unpack(bytes.subarray(1)) as unknown[];
    if (bytes[0] === SLOTS) for (let i = 0; i < records.length; i++) records[i] = fromSlot(records[i], "a batch received from another thread");
    return records;
  }
}

function decodeShapedRun(bytes: Uint8Array, sections: number, run: ShapedRunHeader, shape: RecordShape, records: unknown[]): void {
  const [count, , , latin1, numbersAt, idsAt, booleansAt, lengthsAt, textAt, textEnd] = run;
  const numbers = section(bytes, sections + numbersAt, count * shape.numberColumns, Float64Array);
  const ids = section(bytes, sections + idsAt, count * shape.stringColumns, Uint32Array);
  const lengths = section(bytes, sections + lengthsAt, (textAt - lengthsAt) / 4, Uint32Array);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + sections + textAt, textEnd - textAt).toString(latin1 === 1 ? "latin1" : "utf16le");
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
