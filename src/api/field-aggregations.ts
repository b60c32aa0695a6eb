/**
 * sum/min/max/minBy/maxBy by field, as reduce functions. Records are objects (by field name) or
 * tuples (by index). sum/min/max copy the key's first record with the field replaced; minBy/maxBy
 * keep whole records.
 */
import { invalidArgument } from "../core/errors.ts";

export type FieldAggregation = "sum" | "min" | "max" | "minBy" | "maxBy";

/** Names of the fields of T that hold numbers; for tuples, the indexes (as numbers) that do. */
export type NumericField<T> = T extends readonly unknown[]
  ? { [I in keyof T]: I extends `${infer N extends number}` ? (T[I] extends number ? N : never) : never }[number]
  : { [F in keyof T]-?: T[F] extends number ? F : never }[keyof T];

function withField<T>(record: T, field: PropertyKey, value: number): T {
  if (Array.isArray(record)) {
    const copy = record.slice();
    copy[field as number] = value;
    return copy as T;
  }
  return { ...record, [field]: value };
}

export function fieldAggregation<T>(kind: FieldAggregation, field: PropertyKey): (acc: T, value: T) => T {
  if (field === "") throw invalidArgument(`${kind}() needs a field name`);
  const read = (r: T): number => {
    const v = (r as Record<PropertyKey, unknown>)[field];
    if (typeof v !== "number") throw new TypeError(`${kind}(${String(field)}): field '${String(field)}' is ${typeof v}, not a number`);
    return v;
  };
  switch (kind) {
    case "sum":
      return (acc, value) => withField(acc, field, read(acc) + read(value));
    case "min":
      return (acc, value) => (read(value) < read(acc) ? withField(acc, field, read(value)) : acc);
    case "max":
      return (acc, value) => (read(value) > read(acc) ? withField(acc, field, read(value)) : acc);
    case "minBy":
      return (acc, value) => (read(value) < read(acc) ? value : acc);
    case "maxBy":
      return (acc, value) => (read(value) > read(acc) ? value : acc);
  }
}
