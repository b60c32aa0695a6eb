import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { DiskKeyedStateBackend } from "../../../src/state/disk/disk-keyed-state-backend.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import { writeAll } from "../keyed-state-snapshot-conformance.ts";

const FULL = { keyGroupRange: { start: 0, end: 7 }, maxParallelism: 8 };

/** Keys of every form a snapshot copies: small and large integers, negatives, fractions, strings, bigints, booleans, null. */
const KEYS: unknown[] = [0, 1, 127, 128, -1, -32, -33, 65_536, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, 0.5, -1e-300, NaN, Infinity, "", "a", "ü€😀", 12n, true, false, null];

describe("disk snapshots copied from stored bytes", () => {
  it("restore on the heap backend to the same keys and values, whatever the key's type, for value, list and map state", () => {
    const disk = new DiskKeyedStateBackend(FULL);
    try {
      const value = disk.getState(new ValueStateDescriptor<unknown>("value"));
      const list = disk.getState(new ListStateDescriptor<number>("list"));
      const map = disk.getState(new MapStateDescriptor<string, { n: number }>("map"));
      KEYS.forEach((key, i) => {
        disk.setCurrentKey(key);
        value.update({ i, key: String(key), nested: [i, { deep: i % 2 === 0 }] });
        list.add(i);
        list.add(-i);
        map.put(`k${i}`, { n: i });
      });
      const heap = new HeapKeyedStateBackend(FULL);
      heap.restore([writeAll(disk.snapshot())]);
      const heapValue = heap.getState(new ValueStateDescriptor<unknown>("value"));
      const heapList = heap.getState(new ListStateDescriptor<number>("list"));
      const heapMap = heap.getState(new MapStateDescriptor<string, { n: number }>("map"));
      KEYS.forEach((key, i) => {
        heap.setCurrentKey(key);
        assert.deepEqual(heapValue.value(), { i, key: String(key), nested: [i, { deep: i % 2 === 0 }] });
        assert.deepEqual([...heapList.get()], [i, -i]);
        assert.deepEqual([...heapMap.entries()], [[`k${i}`, { n: i }]]);
      });
      assert.equal(heap.numKeys("value"), KEYS.length);
    } finally {
      disk.dispose();
    }
  });

  it("write a key group holding a value that only V8's serializer keeps (a Map, -0) beside plain ones, with both intact", () => {
    const disk = new DiskKeyedStateBackend(FULL);
    try {
      const value = disk.getState(new ValueStateDescriptor<unknown>("value"));
      const keys = Array.from({ length: 64 }, (_, i) => i);
      for (const key of keys) {
        disk.setCurrentKey(key);
        value.update(key % 3 === 0 ? new Map([["n", key]]) : key % 3 === 1 ? -0 : { n: key });
      }
      const heap = new HeapKeyedStateBackend(FULL);
      heap.restore([writeAll(disk.snapshot())]);
      const restored = heap.getState(new ValueStateDescriptor<unknown>("value"));
      for (const key of keys) {
        heap.setCurrentKey(key);
        assert.deepEqual(restored.value(), key % 3 === 0 ? new Map([["n", key]]) : key % 3 === 1 ? -0 : { n: key });
        if (key % 3 === 1) assert.ok(Object.is(restored.value(), -0));
      }
    } finally {
      disk.dispose();
    }
  });
});
