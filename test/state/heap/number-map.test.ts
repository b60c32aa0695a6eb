import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { NumberMap } from "../../../src/state/heap/number-map.ts";

const sorted = (entries: Iterable<[unknown, number]>) => [...entries].sort((a, b) => (a[0] as number) - (b[0] as number));

const numberKey = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.integer(), fc.double({ noNaN: true }), fc.constant(-0));
const numberValue = fc.oneof(fc.integer(), fc.double(), fc.constant(-0));
const operation = fc.oneof(
  fc.record({ op: fc.constant("set" as const), key: numberKey, value: numberValue }),
  fc.record({ op: fc.constant("delete" as const), key: numberKey }),
);

describe("NumberMap", () => {
  it("holds what a Map holds after any sequence of sets and deletes, through growth and widening", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), fc.array(numberKey, { maxLength: 30 }), (operations, probes) => {
        const numbers = new NumberMap();
        const map = new Map<number, number>();
        for (const o of operations) {
          if (o.op === "set") {
            numbers.set(o.key, o.value);
            map.set(o.key, o.value);
          } else assert.equal(numbers.delete(o.key), map.delete(o.key));
        }
        for (const key of [...operations.map((o) => o.key), ...probes]) {
          assert.equal(numbers.has(key), map.has(key), `has ${key}`);
          assert.ok(Object.is(numbers.get(key), map.get(key)), `get ${key}: ${numbers.get(key)} vs ${map.get(key)}`);
        }
        assert.equal(numbers.size, map.size);
        assert.deepEqual(sorted(numbers.entries()), sorted(map.entries()));
        const visited: [unknown, number][] = [];
        numbers.forEach((value, key) => visited.push([key, value]));
        assert.deepEqual(sorted(visited), sorted(map.entries()));
        assert.deepEqual([...numbers.keys()].sort(), [...map.keys()].sort());
      }),
    );
  });

  it("has no entry under a key that is not a number, nor under NaN, and says which entries it can hold", () => {
    const numbers = new NumberMap();
    numbers.set(1, 2);
    assert.equal(numbers.get("1"), undefined);
    assert.equal(numbers.has(Number.NaN), false);
    assert.equal(NumberMap.holds(1, 2.5), true);
    assert.equal(NumberMap.holds(Number.NaN, 1), false);
    assert.equal(NumberMap.holds("1", 1), false);
    assert.equal(NumberMap.holds(1, "1"), false);
    assert.equal(NumberMap.holds(1, { n: 1 }), false);
  });

  it("keeps -0 as a value, and takes -0 as the key 0, given back as 0", () => {
    const numbers = new NumberMap();
    numbers.set(-0, -0);
    assert.ok(Object.is(numbers.get(0), -0));
    assert.ok(Object.is([...numbers.keys()][0], 0));
  });

  it("loads pairs of several bodies, a later pair of a key replacing an earlier one, integers and floats mixed", () => {
    const numbers = NumberMap.fromPairs([Int32Array.of(1, 10, 2, 20, 1, 11), Float64Array.of(2, 2.5, 3.5, -0)])!;
    assert.deepEqual(sorted(numbers.entries()), [
      [1, 11],
      [2, 2.5],
      [3.5, -0],
    ]);
    assert.equal(numbers.size, 3);
  });

  it("loads many integer pairs as a Map would, and takes further entries after", () => {
    const pairs = new Int32Array(20_000);
    for (let i = 0; i < pairs.length; i += 2) {
      pairs[i] = (i * 7919) % 6007;
      pairs[i + 1] = i;
    }
    const numbers = NumberMap.fromPairs([pairs])!;
    const map = new Map<number, number>();
    for (let i = 0; i < pairs.length; i += 2) map.set(pairs[i]!, pairs[i + 1]!);
    for (let key = 0; key < 10_000; key++) {
      numbers.set(key, -key);
      map.set(key, -key);
    }
    assert.equal(numbers.size, map.size);
    assert.deepEqual(sorted(numbers.entries()), sorted(map.entries()));
  });

  it("refuses to load pairs with a NaN key", () => {
    assert.equal(NumberMap.fromPairs([Float64Array.of(1, 1, Number.NaN, 2)]), undefined);
  });

  it("iterating while entries are removed and added visits no removed entry and every remaining one with its value now", () => {
    for (const grow of [false, true]) {
      const numbers = new NumberMap();
      for (let key = 0; key < 100; key++) numbers.set(key, key);
      const seen = new Map<number, number>();
      let first: number | undefined;
      for (const [key, value] of numbers.entries()) {
        if (first !== undefined) seen.set(key as number, value);
        else {
          first = key as number;
          // With `grow`, adds enough keys to rebuild the table first; then removes half the keys and changes the others.
          if (grow) for (let k = 1000; k < 3000; k++) numbers.set(k, 0);
          for (let k = 0; k < 100; k++) {
            if (k % 2 === 0) numbers.delete(k);
            else numbers.set(k, k + 1000);
          }
        }
      }
      // The first key was visited before the changes.
      for (const [key, value] of seen) {
        assert.ok(key % 2 === 1 || key >= 1000, `removed key ${key} visited (grow: ${grow})`);
        if (key < 100) assert.equal(value, key + 1000, `key ${key} visited with an old value (grow: ${grow})`);
      }
      for (let k = 1; k < 100; k += 2) assert.ok(k === first || seen.has(k), `remaining key ${k} not visited (grow: ${grow})`);
    }
  });
});
