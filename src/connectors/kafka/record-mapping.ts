/**
 * How a Kafka sink turns a record into a Kafka message: topic, key, value, headers and partition
 * come from the record through the user's functions.
 */
import { Buffer } from "node:buffer";
import { invalidArgument, WeirError } from "../../core/errors.ts";

export type KafkaBytes = string | Buffer | Uint8Array;

export interface KafkaRecordMapping<T> {
  /** The topic: one name, or taken from the record. */
  readonly topic: string | ((record: T) => string);
  /** The message value; default: JSON of the record. */
  readonly value?: (record: T) => KafkaBytes;
  /** The message key; none by default. */
  readonly key?: (record: T) => KafkaBytes | undefined;
  readonly headers?: (record: T) => Readonly<Record<string, KafkaBytes>> | undefined;
  /** The partition; default: the client's partitioner (murmur2 of the key, or round robin without one). */
  readonly partition?: (record: T) => number | undefined;
}

export interface KafkaMessage {
  readonly topic: string;
  readonly key?: Buffer;
  readonly value: Buffer;
  readonly headers?: Map<Buffer, Buffer>;
  readonly partition?: number;
}

function bytes(value: KafkaBytes, what: string): Buffer {
  if (typeof value === "string") return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new WeirError("WEIR_ERR_USER_FUNCTION", `the Kafka sink's ${what} function returned ${typeof value}, not a string, Buffer or Uint8Array`);
}

/** Checks `mapping` (WEIR_ERR_INVALID_ARGUMENT naming the field) and returns the function that maps a record. */
export function recordMapper<T>(mapping: KafkaRecordMapping<T>): (record: T) => KafkaMessage {
  const { topic, value, key, headers, partition } = mapping ?? ({} as KafkaRecordMapping<T>);
  if (!(typeof topic === "function" || (typeof topic === "string" && topic.length > 0))) throw invalidArgument("Kafka sink: topic must be a non-empty string or a function of the record");
  for (const [name, f] of Object.entries({ value, key, headers, partition })) {
    if (f !== undefined && typeof f !== "function") throw invalidArgument(`Kafka sink: ${name} must be a function of the record`);
  }
  return (record) => {
    const message: { -readonly [K in keyof KafkaMessage]: KafkaMessage[K] } = {
      topic: typeof topic === "string" ? topic : topic(record),
      value: value === undefined ? Buffer.from(JSON.stringify(record)) : bytes(value(record), "value"),
    };
    const k = key?.(record);
    if (k !== undefined) message.key = bytes(k, "key");
    const h = headers?.(record);
    if (h !== undefined) message.headers = new Map(Object.entries(h).map(([name, v]) => [Buffer.from(name), bytes(v, "headers")]));
    const p = partition?.(record);
    if (p !== undefined) {
      if (!(Number.isSafeInteger(p) && p >= 0)) throw new WeirError("WEIR_ERR_USER_FUNCTION", `the Kafka sink's partition function returned ${String(p)}, not a partition number`);
      message.partition = p;
    }
    return message;
  };
}
