import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { assignToKeyGroup } from "../../../src/core/key-groups.ts";
import { hashNumber, NumberKeySlots } from "../../../src/state/heap/number-key-slots.ts";

const entries = (slots: NumberKeySlots) => {
  const out: [number, number, number][] = [];
  slots.forEach((key, tag, payload) => {
    out.push([key, tag, payload]);
  });
  return out.sort((a, b) => a[0] - b[0]);
};

describe("NumberKeySlots", () => {
  it("made for a number of keys, holds that many without growing", () => {
    const slots = new NumberKeySlots(3_000);
    const capacity = slots.capacity;
    for (let key = 0; key < 3_000; key++) slots.add(key * 7.5, 1, key);
    assert.equal(slots.capacity, capacity);
    assert.ok(capacity < 4 * 3_000, "and no more than twice the room it needs");
    assert.equal(new NumberKeySlots().capacity, 64);
  });

  it("finds every key added, and no other, as a Map would, through any number of growths", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.integer({ min: 0, max: 50 })), { comparator: "SameValueZero", maxLength: 300 }), fc.array(fc.double({ noNaN: true }), { maxLength: 50 }), (keys, probes) => {
        const slots = new NumberKeySlots();
        const map = new Map<number, number>();
        keys.forEach((key, i) => {
          slots.add(key, 1 + (i % 3), i);
          map.set(key, i);
        });
        for (const key of [...keys, ...probes]) assert.equal(slots.has(key), map.has(key), `key ${key}`);
        assert.equal(slots.size, map.size);
        assert.deepEqual(
          entries(slots).map(([key, , payload]) => [key, payload]),
          [...map].sort((a, b) => a[0] - b[0]),
        );
      }),
    );
  });

  it("-0 and 0 are one key, kept as 0", () => {
    const slots = new NumberKeySlots();
    slots.add(-0, 2, 7);
    assert.equal(slots.has(0), true);
    assert.equal(slots.has(-0), true);
    assert.ok(Object.is(entries(slots)[0]![0], 0));
  });

  it("keeps each entry's tag and payload, -0 and NaN payloads included", () => {
    const slots = new NumberKeySlots();
    slots.add(1, 1, -0);
    slots.add(2, 3, Number.NaN);
    slots.add(3, 4, 1.5);
    const [one, two, three] = entries(slots);
    assert.ok(Object.is(one![2], -0));
    assert.deepEqual([one![1], two![1], three![1]], [1, 3, 4]);
    assert.ok(Number.isNaN(two![2]));
    assert.equal(three![2], 1.5);
  });
});

describe("NumberKeySlots: adding in one probe", () => {
  it("gives a slot for a key it lacks, -1 for one it holds, and a key filled in is found with its tag and payload", () => {
    const slots = new NumberKeySlots();
    for (let key = 0; key < 500; key++) {
      const slot = slots.insertionSlot(key * 1.5);
      assert.ok(slot >= 0);
      slots.fill(slot, key * 1.5, 1 + (key % 3), -key);
    }
    for (let key = 0; key < 500; key++) {
      assert.equal(slots.insertionSlot(key * 1.5), -1);
      const slot = slots.slotOf(key * 1.5);
      assert.deepEqual([slots.tagAt(slot), slots.payloadAt(slot)], [1 + (key % 3), -key]);
    }
    assert.equal(slots.size, 500);
    slots.clear();
    assert.equal(slots.has(3), false);
    assert.ok(slots.insertionSlot(3) >= 0);
  });

  it("spreads the integer keys of one key group over a table's slots, as it spreads any keys", () => {
    // A table holds one key group's keys; they share their key group's hash modulo the max parallelism.
    for (const maxParallelism of [128, 100, 4096]) {
      const keys: number[] = [];
      for (let key = 0; keys.length < 4096; key++) if (assignToKeyGroup(key, maxParallelism) === 7) keys.push(key);
      const slots = 4096;
      const starts = new Set(keys.map((key) => hashNumber(key) & (slots - 1)));
      // Hashing 4096 keys into 4096 slots at random starts in about 63% of them.
      assert.ok(starts.size > 0.55 * slots, `max parallelism ${maxParallelism}: ${starts.size} distinct start slots of ${slots}`);
    }
  });
});
