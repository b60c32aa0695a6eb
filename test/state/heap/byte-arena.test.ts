import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ByteArena } from "../../../src/state/heap/byte-arena.ts";

describe("ByteArena", () => {
  it("keeps a copy of each body, unchanged by later copies and by changes to what was copied", () => {
    const arena = new ByteArena();
    const bodies = Array.from({ length: 300 }, (_, i) => new Uint8Array(10_000 + i).fill(i % 256));
    const kept = bodies.map((body) => arena.copy(body));
    for (const body of bodies) body.fill(0);
    kept.forEach((copy, i) => {
      assert.equal(copy.length, 10_000 + i);
      assert.ok(copy.every((b) => b === i % 256), `body ${i}`);
    });
    arena.release();
  });

  it("gives its chunks back when released, for the next arena to copy into without allocating", () => {
    const first = new ByteArena();
    const a = first.copy(new Uint8Array(100).fill(1));
    first.release();
    first.release();
    const second = new ByteArena();
    const b = second.copy(new Uint8Array(100).fill(2));
    assert.equal(b.buffer, a.buffer, "the chunk is reused");
    second.release();
  });

  it("a body larger than a chunk gets a buffer of its own", () => {
    const arena = new ByteArena();
    const large = new Uint8Array((1 << 20) + 1).fill(7);
    const copy = arena.copy(large);
    assert.notEqual(copy.buffer, large.buffer);
    assert.equal(copy.length, large.length);
    assert.equal(copy[large.length - 1], 7);
    arena.release();
  });
});
