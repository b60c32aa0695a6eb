import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { deepCopy } from "../../src/core/deep-copy.ts";
import { TimeWindow } from "../../src/windowing/windows.ts";
import {
  UPPER_BOUND_MAX_PARALLELISM,
  assignToKeyGroup,
  canonicalKey,
  denormalizeKey,
  hashKey,
  keyGroupRangeForSubtask,
  keyGroupRangeSize,
  normalizeKey,
  subtaskForKeyGroup,
} from "../../src/core/key-groups.ts";

const scalarKey = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.bigInt(),
  fc.constant(null),
  fc.constant(undefined),
);
const key = fc.oneof(
  scalarKey,
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 4 }),
);
const maxParallelism = fc.oneof(fc.integer({ min: 1, max: 1024 }), fc.constantFrom(128, 4096, UPPER_BOUND_MAX_PARALLELISM));
const parallelismSetup = maxParallelism.chain((max) => fc.record({ max: fc.constant(max), parallelism: fc.integer({ min: 1, max: Math.min(max, 512) }) }));

describe("key groups", () => {
  it("every key lands in exactly one subtask's key-group range, for any parallelism up to max parallelism", () => {
    fc.assert(
      fc.property(key, parallelismSetup, (k, { max, parallelism }) => {
        const group = assignToKeyGroup(k, max);
        assert.ok(Number.isInteger(group) && group >= 0 && group < max);
        const owners: number[] = [];
        for (let subtask = 0; subtask < parallelism; subtask++) {
          const range = keyGroupRangeForSubtask(subtask, parallelism, max);
          if (group >= range.start && group <= range.end) owners.push(subtask);
        }
        assert.deepEqual(owners, [subtaskForKeyGroup(group, parallelism, max)]);
      }),
      { numRuns: 500 },
    );
  });

  it("subtaskForKeyGroup agrees with keyGroupRangeForSubtask for every key group", () => {
    fc.assert(
      fc.property(parallelismSetup, ({ max, parallelism }) => {
        for (let subtask = 0; subtask < parallelism; subtask++) {
          const { start, end } = keyGroupRangeForSubtask(subtask, parallelism, max);
          assert.equal(subtaskForKeyGroup(start, parallelism, max), subtask);
          assert.equal(subtaskForKeyGroup(end, parallelism, max), subtask);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("subtask ranges are contiguous, cover every key group, and differ in size by at most one", () => {
    fc.assert(
      fc.property(parallelismSetup, ({ max, parallelism }) => {
        let next = 0;
        const sizes: number[] = [];
        for (let subtask = 0; subtask < parallelism; subtask++) {
          const range = keyGroupRangeForSubtask(subtask, parallelism, max);
          assert.equal(range.start, next);
          assert.ok(range.end >= range.start);
          sizes.push(keyGroupRangeSize(range));
          next = range.end + 1;
        }
        assert.equal(next, max);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      }),
      { numRuns: 200 },
    );
  });

  it("a key and a deep copy of it get the same key group on every call", () => {
    fc.assert(
      fc.property(key, maxParallelism, (k, max) => {
        const group = assignToKeyGroup(k, max);
        assert.equal(assignToKeyGroup(k, max), group);
        assert.equal(assignToKeyGroup(structuredClone(k), max), group);
      }),
      { numRuns: 500 },
    );
  });

  it("composite keys agree whatever the order of their properties", () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())), {
      selector: ([name]) => name,
      maxLength: 6,
    });
    fc.assert(
      fc.property(entries, maxParallelism, (pairs, max) => {
        const forward = Object.fromEntries(pairs);
        const backward = Object.fromEntries([...pairs].reverse());
        assert.equal(hashKey(forward), hashKey(backward));
        assert.equal(assignToKeyGroup(forward, max), assignToKeyGroup(backward, max));
      }),
      { numRuns: 300 },
    );
    assert.equal(assignToKeyGroup({ a: 1, b: 2 }, 128), assignToKeyGroup({ b: 2, a: 1 }, 128));
  });

  it("known keys keep their key groups, so a change to the hash is caught", () => {
    const known: [unknown, number, number][] = [
      [0, 0, 0],
      [1, 55, 10423],
      [42, 92, 19804],
      [-1, 57, 28473],
      [2 ** 40, 39, 14247],
      [3.5, 73, 13641],
      ["a", 62, 11710],
      ["user-17", 103, 21735],
      ["", 40, 16936],
      [true, 104, 21352],
      [false, 123, 24187],
      [10n, 62, 9278],
      [null, 0, 0],
      [undefined, 98, 13026],
      [["a", 1], 11, 21003],
      [{ a: 1, b: "x" }, 21, 3349],
    ];
    for (const [k, at128, at32768] of known) {
      assert.equal(assignToKeyGroup(k, 128), at128, `key ${String(k)} at max parallelism 128`);
      assert.equal(assignToKeyGroup(k, 32768), at32768, `key ${String(k)} at max parallelism 32768`);
    }
  });

  it("10k consecutive integer keys spread evenly over 128 key groups", () => {
    const counts = new Array<number>(128).fill(0);
    for (let k = 0; k < 10_000; k++) counts[assignToKeyGroup(k, 128)]!++;
    const expected = 10_000 / 128;
    const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 127 degrees of freedom: a uniform assignment exceeds 181 with probability 0.001.
    assert.ok(chiSquare < 181, `chi-square ${chiSquare.toFixed(1)}`);
    assert.ok(Math.min(...counts) >= expected * 0.6 && Math.max(...counts) <= expected * 1.4, `counts ${Math.min(...counts)}..${Math.max(...counts)}`);
  });
});

describe("normalizeKey", () => {
  it("never gives a string key and a composite key the same stored form", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.oneof(fc.string(), fc.integer())), (text, composite) => {
        assert.notEqual(normalizeKey(text), normalizeKey(composite));
        assert.notEqual(normalizeKey(JSON.stringify(composite)), normalizeKey(composite));
      }),
    );
  });

  it("keeps a __proto__ field of a composite key as data", () => {
    const a = JSON.parse('{"__proto__": 1, "x": 2}') as object;
    const b = JSON.parse('{"__proto__": 3, "x": 2}') as object;
    assert.notEqual(normalizeKey(a), normalizeKey(b));
  });

  it("stores string and number keys as they are", () => {
    assert.equal(normalizeKey("abc"), "abc");
    assert.equal(normalizeKey(42), 42);
  });

  it("gives a key whose toJSON is a pair of numbers the stored form of that pair, whatever the numbers", () => {
    class Pair {
      constructor(
        readonly a: number,
        readonly b: number,
      ) {}
      toJSON(): [number, number] {
        return [this.a, this.b];
      }
    }
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, b) => {
        assert.equal(normalizeKey(new Pair(a, b)), normalizeKey([a, b]));
        assert.equal(hashKey(new Pair(a, b)), hashKey([a, b]));
      }),
    );
  });
});

describe("canonicalKey", () => {
  /** The canonical text as the general path writes it (a replacer that sorts properties and marks bigints). */
  const general = (key: unknown): string => JSON.stringify({ key }, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)).slice(7, -1);

  it("writes flat arrays as the general path does", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null))), (key) => {
        assert.equal(canonicalKey(key), general(key));
      }),
    );
  });

  it("gives a window the text of its [start, end] form, as the general path writes it, also for a copy", () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (start, end) => {
        assert.equal(canonicalKey(new TimeWindow(start, end)), general([start, end]));
      }),
    );
    assert.equal(canonicalKey(new TimeWindow(-5, 10)), "[-5,10]");
    assert.equal(normalizeKey(deepCopy(new TimeWindow(-5, 10))), normalizeKey([-5, 10]));
  });

  it("normalizes a window as its [start, end] pair, the same on every use of one window object", () => {
    const window = new TimeWindow(0, 2_000);
    assert.equal(normalizeKey(window), normalizeKey([0, 2_000]));
    assert.equal(normalizeKey(window), normalizeKey([0, 2_000]));
    assert.equal(normalizeKey(new TimeWindow(-Infinity, 0)), normalizeKey([null, 0]));
  });
});

describe("denormalizeKey", () => {
  it("gives back primitives and strings as they were, marker-led strings included", () => {
    for (const key of [0, -1.5, "a", "", "\u0001x", "\u0001\u0001y", true, 5n, null, undefined]) {
      assert.deepEqual(denormalizeKey(normalizeKey(key)), key);
    }
  });

  it("gives a composite key as its JSON value, which normalizes to the same stored form", () => {
    for (const key of [{ b: 1, a: [2, "x"] }, ["u", 3], { big: 7n }]) {
      const back = denormalizeKey(normalizeKey(key));
      assert.equal(normalizeKey(back), normalizeKey(key));
    }
    assert.deepEqual(denormalizeKey(normalizeKey({ b: 1, a: 2 })), { a: 2, b: 1 });
  });
});
