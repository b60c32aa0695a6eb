/**
 * How NATS message payloads become records (the source's deserialiser) and records become
 * payloads (the sink's serialiser). Built-in: "string" (UTF-8), "json", "bytes" (the payload as
 * a Uint8Array of its own), or the user's function.
 */
import { WeirError } from "../../core/errors.ts";

/** Where a message was read from, for deserialisers that need it and for error messages. */
export interface NatsMessageMeta {
  readonly stream: string;
  readonly subject: string;
  /** The message's stream sequence. */
  readonly sequence: number;
}

export type NatsDeserializer<T> = "string" | "json" | "bytes" | ((data: Uint8Array, message: NatsMessageMeta) => T);

export type NatsSerializer<T> = "string" | "json" | ((record: T) => Uint8Array | string);

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The deserialiser as a function that throws WEIR_ERR_SOURCE_DESERIALIZE naming the stream,
 * sequence and subject of a message it cannot turn into a record.
 */
export function deserializerFunction<T>(deserializer: NatsDeserializer<T>, where: string): (data: Uint8Array, message: NatsMessageMeta) => T {
  const decode = builtInDeserializer(deserializer, where);
  return (data, message) => {
    try {
      return decode(data, message) as T;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new WeirError(
        "WEIR_ERR_SOURCE_DESERIALIZE",
        `${where}: message ${message.sequence} of stream ${message.stream} (subject ${message.subject}) could not be deserialised: ${reason}`,
        { cause: e },
      );
    }
  };
}

function builtInDeserializer(deserializer: NatsDeserializer<unknown>, where: string): (data: Uint8Array, message: NatsMessageMeta) => unknown {
  if (typeof deserializer === "function") return deserializer;
  switch (deserializer) {
    case "string":
      return (data) => decoder.decode(data);
    case "json":
      return (data) => JSON.parse(decoder.decode(data));
    case "bytes":
      // The client's buffer may be shared with other messages: a record gets bytes of its own.
      return (data) => data.slice();
    default:
      throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: deserializer must be "string", "json", "bytes" or a function, got ${JSON.stringify(deserializer)}`);
  }
}

/** The serialiser as a function from a record to its payload bytes. */
export function serializerFunction<T>(serializer: NatsSerializer<T>, where: string): (record: T) => Uint8Array {
  if (typeof serializer === "function") {
    return (record) => {
      const payload = serializer(record);
      if (typeof payload === "string") return encoder.encode(payload);
      if (payload instanceof Uint8Array) return payload;
      throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: the serializer must return a string or a Uint8Array, got ${typeof payload}`);
    };
  }
  switch (serializer) {
    case "string":
      return (record) => encoder.encode(String(record));
    case "json":
      return (record) => encoder.encode(JSON.stringify(record));
    default:
      throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${where}: serializer must be "string", "json" or a function, got ${JSON.stringify(serializer)}`);
  }
}
