import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { deserializerFunction, serializerFunction } from "../../../src/connectors/nats/nats-codec.ts";

const meta = { stream: "S", subject: "s.a", sequence: 9 };
const bytes = (text: string) => new TextEncoder().encode(text);

describe("NATS deserialisers", () => {
  it("string, json and bytes turn a payload into a string, a value and bytes of the record's own", () => {
    const payload = bytes('{"n":1}');
    assert.equal(deserializerFunction("string", "src")(payload, meta), '{"n":1}');
    assert.deepEqual(deserializerFunction("json", "src")(payload, meta), { n: 1 });
    const copy = deserializerFunction("bytes", "src")(payload, meta) as Uint8Array;
    payload[0] = 0;
    assert.equal(copy[0], "{".charCodeAt(0));
  });

  it("a user's deserialiser gets the message's place, and what it throws (a string too) names the message", () => {
    const own = deserializerFunction((data, m) => `${m.subject}#${m.sequence}:${data.length}`, "src");
    assert.equal(own(bytes("abc"), meta), "s.a#9:3");
    const throwing = deserializerFunction(() => {
      throw "no schema";
    }, "natsSource(\"S\")");
    assert.throws(
      () => throwing(bytes("x"), meta),
      (e: Error & { code?: string }) => e.code === "WEIR_ERR_SOURCE_DESERIALIZE" && e.message === 'natsSource("S"): message 9 of stream S (subject s.a) could not be deserialised: no schema',
    );
  });

  it("refuses an unknown deserialiser name", () => {
    assert.throws(() => deserializerFunction("xml" as "json", "src"), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /src: deserializer must be "string", "json", "bytes" or a function, got "xml"/ });
  });
});

describe("NATS serialisers", () => {
  it("json, string and a user's function turn a record into bytes", () => {
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.equal(decode(serializerFunction("json", "sink")({ n: 1 })), '{"n":1}');
    assert.equal(decode(serializerFunction("string", "sink")(42)), "42");
    assert.equal(decode(serializerFunction((r: number) => `n=${r}`, "sink")(3)), "n=3");
  });

  it("a user's serialiser that returns something else than a string or bytes is refused", () => {
    assert.throws(() => serializerFunction(() => 5 as unknown as string, "sink")(1), { code: "WEIR_ERR_INVALID_ARGUMENT", message: /sink: the serializer must return a string or a Uint8Array, got number/ });
  });
});
