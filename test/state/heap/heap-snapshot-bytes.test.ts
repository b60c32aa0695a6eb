import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import { plainPackr, toSlot } from "../../../src/core/value-codec.ts";

const RANGE = { start: 0, end: 127 };

/** Each group's body as the snapshot wrote it, and as the generic packer writes the live entries in their order. */
function bodies(values: (k: number) => unknown, keys: number, change?: (backend: HeapKeyedStateBackend) => void): { actual: Map<number, Buffer>; expected: Map<number, Buffer> } {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
  const state = backend.getState(new ValueStateDescriptor<unknown>("v"));
  for (let k = 0; k < keys; k++) {
    backend.setCurrentKey(k);
    state.update(values(k));
  }
  const expected = new Map<number, Buffer>();
  for (let g = 0; g <= RANGE.end; g++) {
    const flat: unknown[] = [];
    for (const [key, value] of backend.keyGroupEntries("v", g)) flat.push(toSlot(key, () => ""), toSlot(value, () => ""));
    if (flat.length > 0) expected.set(g, Buffer.from(plainPackr.pack([[0, flat]])));
  }
  const snapshot = backend.snapshot();
  change?.(backend);
  const steps = snapshot.write();
  let step = steps.next();
  while (!step.done) step = steps.next();
  snapshot.release();
  const bytes = Buffer.from(step.value);
  const actual = new Map<number, Buffer>();
  let at = 8 + bytes.readUInt32LE(4);
  while (at < bytes.length) {
    const group = bytes.readUInt32LE(at);
    const length = bytes.readUInt32LE(at + 4);
    actual.set(group, Buffer.from(bytes.subarray(at + 8, at + 8 + length)));
    at += 8 + length;
  }
  return { actual, expected };
}

/** A one-state body's entries, by key: what a restore reads, whatever their order. */
function entriesOf(body: Buffer): Map<unknown, unknown> {
  const [[, flat]] = plainPackr.unpack(body) as [[number, unknown[]]];
  const entries = new Map<unknown, unknown>();
  for (let i = 0; i < flat.length; i += 2) entries.set(flat[i], flat[i + 1]);
  return entries;
}

describe("review: heap snapshot bodies against the generic packer", () => {
  it("flat number records with edge numbers are written byte for byte as the packer writes them", () => {
    const edge = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, 0.5, NaN, Infinity, -Infinity, 1e300, Number.MIN_VALUE];
    const { actual, expected } = bodies((k) => (k % 5 === 0 ? {} : k % 5 === 1 ? { 2: edge[k % edge.length]!, b: k, 1: -k } : { x: edge[k % edge.length]!, y: edge[(k + 3) % edge.length]! }), 500);
    assert.equal(actual.size, expected.size);
    for (const [g, body] of expected) assert.ok(body.equals(actual.get(g)!), `group ${g}`);
  });

  it("copies kept as numbers (all values changed after the snapshot) are written as the packer writes them, in the pre-image's order", () => {
    const edge = [0, 127, 128, 65536, 2 ** 31, 2 ** 32, 2 ** 53, -33, -(2 ** 31) - 1, 0.5, NaN, -Infinity, 1e300];
    const { actual, expected } = bodies(
      (k) => (k % 3 === 0 ? { 2: edge[k % edge.length]!, b: k, 1: -k } : { x: edge[k % edge.length]!, y: edge[(k + 3) % edge.length]! }),
      500,
      (backend) => {
        const state = backend.getState(new ValueStateDescriptor<unknown>("v"));
        for (let k = 0; k < 500; k++) {
          backend.setCurrentKey(k);
          state.update({ changed: k });
        }
      },
    );
    assert.equal(actual.size, expected.size);
    for (const [g, body] of expected) {
      const a = actual.get(g)!;
      if (body.equals(a)) continue;
      assert.equal(a.length, body.length, `group ${g} length`);
      assert.deepEqual(entriesOf(a), entriesOf(body), `group ${g} entries`);
      // The order of a pre-image's entries is its own (as before the change); the entries and the length match.
    }
  });

  it("objects with symbol keys, non-enumerable or inherited properties, other prototypes and accessors are written as the packer writes them", () => {
    class Point {
      constructor(public x: number) {}
    }
    const made = (k: number): unknown => {
      switch (k % 7) {
        case 0: return Object.defineProperty({ a: k }, "hidden", { value: 2, enumerable: false });
        case 1: return { a: k, [Symbol("s")]: 2 };
        case 2: return Object.assign(Object.create(null) as object, { a: k });
        case 3: return new Point(k);
        case 4: return { get a() { return k; } };
        case 5: return Object.assign(Object.create({ inherited: 1 }) as object, { a: k });
        default: return { constructor: k, a: 1 };
      }
    };
    // One kind per key group run, so that the mix does not change the order (see the next test).
    const { actual, expected } = bodies((k) => made(k), 700);
    for (const [g, body] of expected) {
      const a = actual.get(g)!;
      if (body.equals(a)) continue;
      assert.equal(a.length, body.length, `group ${g} length`);
      assert.deepEqual(entriesOf(a), entriesOf(body), `group ${g} entries`);
    }
  });

  it("a group that mixes flat number records with other values holds the packer's entries, flat records after the others", () => {
    const { actual, expected } = bodies((k) => (k % 2 === 0 ? { n: k } : { s: `x${k}` }), 500);
    for (const [g, body] of expected) {
      const a = actual.get(g)!;
      assert.equal(a.length, body.length, `group ${g} length`);
      assert.deepEqual(entriesOf(a), entriesOf(body), `group ${g} entries`);
    }
  });
});
