import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MessagePackWriter } from "../../src/core/message-pack-writer.ts";
import { plainPackr } from "../../src/core/value-codec.ts";

const packed = (value: unknown) => new Uint8Array(plainPackr.pack(value));

describe("MessagePackWriter", () => {
  it("writes a number as the plain packer does, in the smallest form of a 32-bit integer, else as float64", () => {
    const edges = [0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, -1, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -(2 ** 31), -(2 ** 31) - 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...edges), fc.integer(), fc.double().filter((v) => !Object.is(v, -0))), (value) => {
        const out = new MessagePackWriter();
        out.number(value);
        assert.deepEqual(out.bytes(), packed(value));
      }),
    );
  });

  it("writes array headers as the plain packer does, so that items written after them read back as the array", () => {
    for (const length of [0, 15, 16, 0xffff, 0x10000]) {
      const out = new MessagePackWriter();
      out.arrayHeader(length);
      const items = new Array<number>(length).fill(1);
      for (let i = 0; i < length; i++) out.number(1);
      assert.deepEqual(out.bytes(), packed(items), `length ${length}`);
    }
  });

  it("writes a map header and bytes packed before into one value, growing as it needs", () => {
    const out = new MessagePackWriter();
    const entries = 5000;
    out.mapHeader(entries);
    const expected: Record<string, number> = {};
    for (let i = 0; i < entries; i++) {
      out.raw(packed(`k${i}`));
      out.number(i);
      expected[`k${i}`] = i;
    }
    assert.deepEqual(plainPackr.unpack(out.bytes()), expected);
    out.truncate(3);
    assert.equal(out.bytes().length, 3);
    out.reset();
    assert.equal(out.bytes().length, 0);
  });
});
