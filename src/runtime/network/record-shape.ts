/**
 * The shape of a flat record — its field names in order and the kind of each field's value — and
 * the code specialised to it: a test that a record has exactly this shape, a writer of records of
 * the shape into columns, and a builder of records from those columns. Shapes are learned from the
 * records themselves (the first record of a run names the shape); nothing is declared by the user.
 *
 * Contract: a record is of a shape only when writing it into columns and building it back gives
 * what `structuredClone` returns for it: an object whose prototype is Object.prototype or null
 * (built back with Object.prototype, as structuredClone does), whose own enumerable string-keyed
 * properties are the shape's fields in the shape's order (as `for…in` lists them; symbol-keyed and
 * non-enumerable ones are not written, as structuredClone does not), none named `__proto__`, each holding a number (-0 and NaN included), a string (lone
 * surrogates included), a boolean, null, undefined or a Date (its prototype Date.prototype).
 * Anything else (nested objects, arrays, bigints, class instances) is no shape's record and goes
 * the generic way. Built records are new objects with one hidden class per shape.
 *
 * Columns, row-major: `numbers` holds each record's numbers and Dates (as their time) in field
 * order, `strings` each record's strings, `booleans` each record's booleans (1 or 0). Strings are
 * read back from a dictionary (a record's string is `dictionary[stringIds[k]]`), so records
 * built from one batch may hold one string object (strings are immutable: nothing can tell).
 */

/** A field's kind: number, string, boolean, null, undefined, Date. */
export type FieldKind = "n" | "s" | "b" | "l" | "u" | "d";

/** Shapes with more fields than this are left to the generic codec. */
const MAX_FIELDS = 64;
/** Compiled shapes kept; a stream of ever new shapes (keys made of data) empties the cache instead of growing it. */
const MAX_CACHED_SHAPES = 256;

export interface RecordShape {
  /** Identifies the shape: its kinds and field names (as written in a batch). */
  readonly id: string;
  readonly fields: readonly string[];
  /** One character per field. */
  readonly kinds: string;
  readonly numberColumns: number;
  readonly stringColumns: number;
  readonly booleanColumns: number;
  /**
   * Writes the records from `records[from]` on while they are of this shape, at most `max` of them,
   * as the rows from `at` on, and returns how many it wrote: row i's numbers at
   * `numbers[i * numberColumns + c]`, its booleans at `booleans[i * booleanColumns + c]` (1 or 0),
   * and its strings as indices into `dictionary` at `stringIds[i * stringColumns + c]`. A string is added to the dictionary unless
   * `recent` holds it (see RecentStrings); each field is read once.
   */
  readonly write: (records: readonly unknown[], from: number, max: number, numbers: Float64Array, stringIds: Uint32Array, dictionary: string[], recent: RecentStrings, booleans: Uint8Array, at: number) => number;
  /** Whether `record` has exactly this shape: `write` would write it. */
  readonly fits: (record: unknown) => boolean;
  /**
   * Pushes `count` records onto `out`, built from columns written by `write`, each string given as
   * an index into `dictionary` (`stringIds`, in the order `write` pushed the strings).
   */
  readonly build: (out: unknown[], count: number, numbers: Float64Array, stringIds: Uint32Array, dictionary: readonly string[], booleans: Uint8Array) => void;
}

const cache = new Map<string, RecordShape>();

/** Slots per string column in RecentStrings; a power of two. */
const RECENT_SLOTS = 256;

/**
 * The strings written last into a dictionary, per string column and slot (a mix of the string's
 * length and last character, modulo RECENT_SLOTS), with their indices: a string equal to the one
 * in its slot is written as that index again. Comparing one string costs much less than a hash
 * lookup, and catches what repeats most (values of a small set: kinds, names, codes). It only
 * dedupes: a miss adds the string to the dictionary again, which stays correct. (Reading the last
 * character also flattens a string built by concatenation, once, so comparing it is a memcmp.)
 */
export class RecentStrings {
  strings: (string | undefined)[] = [];
  ids = new Uint32Array(0);

  /** Forgets every string (a new dictionary starts), with room for `columns` string columns. */
  reset(columns: number): void {
    const size = columns * RECENT_SLOTS;
    if (this.strings.length < size) {
      this.strings = new Array<string | undefined>(size).fill(undefined);
      this.ids = new Uint32Array(size);
    } else {
      this.strings.fill(undefined, 0, size);
    }
  }
}

function kindOf(value: unknown): FieldKind | undefined {
  switch (typeof value) {
    case "number":
      return "n";
    case "string":
      return "s";
    case "boolean":
      return "b";
    case "undefined":
      return "u";
    case "object":
      if (value === null) return "l";
      return Object.getPrototypeOf(value) === Date.prototype ? "d" : undefined;
    default:
      return undefined;
  }
}

/** The shape of `record`, or undefined when it is not a flat record (see the header). */
export function shapeOf(record: unknown): RecordShape | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(record);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const fields: string[] = [];
  let kinds = "";
  for (const field in record) {
    if (field === "__proto__" || fields.length === MAX_FIELDS) return undefined;
    const kind = kindOf((record as Record<string, unknown>)[field]);
    if (kind === undefined) return undefined;
    fields.push(field);
    kinds += kind;
  }
  return shapeFor(fields, kinds);
}

/** The compiled shape of these fields and kinds (as read from a batch, or learned by shapeOf). */
export function shapeFor(fields: readonly string[], kinds: string): RecordShape {
  const id = `${kinds}:${JSON.stringify(fields)}`;
  let shape = cache.get(id);
  if (shape === undefined) {
    if (cache.size >= MAX_CACHED_SHAPES) cache.clear();
    shape = compile(id, fields, kinds);
    cache.set(id, shape);
  }
  return shape;
}

/** Whether `fields` and `kinds` describe a shape shapeOf could have learned (checked before compiling what a batch names). */
export function isValidShape(fields: readonly unknown[], kinds: unknown): boolean {
  return (
    typeof kinds === "string" &&
    kinds.length === fields.length &&
    fields.length <= MAX_FIELDS &&
    /^[nsblud]*$/.test(kinds) &&
    fields.every((f) => typeof f === "string" && f !== "__proto__") &&
    new Set(fields).size === fields.length
  );
}

function compile(id: string, fields: readonly string[], kinds: string): RecordShape {
  // Field names enter the generated code only as JSON string literals, as the keys of the object
  // literal that builds a record and in property accesses, so no name can change the code; the
  // one key a literal would take for the prototype, `__proto__`, is no shape's field.
  // Built records come from a literal with its keys written out (not computed), so V8 makes each
  // in one allocation with its final hidden class; numbers that are small integers go into them
  // as such (SMALL), so that a field holding one needs no heap box.
  const names = fields.map((f) => JSON.stringify(f));
  const reads: string[] = [];
  const checks: string[] = [];
  const writes: string[] = [];
  const values: string[] = [];
  let nc = 0;
  let sc = 0;
  let bc = 0;
  fields.forEach((_, i) => {
    const v = `v${i}`;
    reads.push(`const ${v} = r[${names[i]}];`);
    switch (kinds[i] as FieldKind) {
      case "n":
        checks.push(`typeof ${v} === "number"`);
        writes.push(`numbers[q + ${nc}] = ${v};`);
        values.push(`${names[i]}: SMALL(numbers[q + ${nc++}])`);
        break;
      case "d":
        checks.push(`typeof ${v} === "object" && ${v} !== null && Object.getPrototypeOf(${v}) === DATE`);
        writes.push(`numbers[q + ${nc}] = DATE_TIME.call(${v});`);
        values.push(`${names[i]}: new Date(numbers[q + ${nc++}])`);
        break;
      case "s":
        checks.push(`typeof ${v} === "string"`);
        writes.push(
          `{ const slot = ${sc * RECENT_SLOTS} + ((${v}.length * 31 + ${v}.charCodeAt(${v}.length - 1)) & ${RECENT_SLOTS - 1}); ` +
            `if (recentStrings[slot] === ${v}) stringIds[k + ${sc}] = recentIds[slot]; ` +
            `else { recentStrings[slot] = ${v}; stringIds[k + ${sc}] = recentIds[slot] = dictionary.length; dictionary.push(${v}); } }`,
        );
        values.push(`${names[i]}: dictionary[stringIds[k++]]`);
        sc++;
        break;
      case "b":
        checks.push(`typeof ${v} === "boolean"`);
        writes.push(`booleans[t + ${bc}] = ${v} ? 1 : 0;`);
        values.push(`${names[i]}: booleans[t + ${bc++}] === 1`);
        break;
      case "l":
        checks.push(`${v} === null`);
        values.push(`${names[i]}: null`);
        break;
      case "u":
        checks.push(`${v} === undefined`);
        values.push(`${names[i]}: undefined`);
        break;
    }
  });
  /** The test that record `r` has the shape, reading its values into v0, v1, ...; `fail` leaves the test (`failFieldLoop` from within the loop over its fields). */
  const test = (fail: string, failFieldLoop: string) => `
        if (typeof r !== "object" || r === null) ${fail};
        const proto = Object.getPrototypeOf(r);
        if (proto !== OBJECT && proto !== null) ${fail};
        let j = 0;
        for (const f in r) if (f !== FIELDS[j++]) ${failFieldLoop};
        if (j !== ${fields.length}) ${fail};
        ${reads.join("\n        ")}
        if (!(true${checks.map((c) => ` && ${c}`).join("")})) ${fail};`;
  const source = `
    const FIELDS = ${JSON.stringify(fields)};
    function write(records, from, max, numbers, stringIds, dictionary, recent, booleans, at) {
      const recentStrings = recent.strings;
      const recentIds = recent.ids;
      let i = 0;
      records: for (let q = at * ${nc}, t = at * ${bc}, k = at * ${sc}; i < max; i++, q += ${nc}, t += ${bc}, k += ${sc}) {
        const r = records[from + i];${test("break", "break records")}
        ${writes.join("\n        ")}
      }
      return i;
    }
    function fits(r) {${test("return false", "return false")}
      return true;
    }
    /** x itself, as a small integer when it is one (-0 stays -0). */
    function SMALL(x) {
      return (x | 0) === x && (x !== 0 || 1 / x > 0) ? x | 0 : x;
    }
    function build(out, count, numbers, stringIds, dictionary, booleans) {
      for (let i = 0, q = 0, t = 0, k = 0; i < count; i++, q += ${nc}, t += ${bc}) {
        out.push({ ${values.join(", ")} });
      }
    }
    return { write, fits, build };`;
  const made = new Function("OBJECT", "DATE", "DATE_TIME", source)(Object.prototype, Date.prototype, Date.prototype.getTime) as Pick<RecordShape, "write" | "fits" | "build">;
  return { id, fields, kinds, numberColumns: nc, stringColumns: sc, booleanColumns: bc, ...made };
}
