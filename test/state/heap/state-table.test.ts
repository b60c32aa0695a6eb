import { describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { NumberKeySlots } from "../../../src/state/heap/number-key-slots.ts";
import { NumericRecords } from "../../../src/state/heap/numeric-records.ts";
import { StateTable, type FrozenChanges } from "../../../src/state/heap/state-table.ts";

const RANGE = { start: 0, end: 3 };

/** A table over key groups 0..3 with a cursor the test moves: `at(group, key)`. */
function table<V>(): { table: StateTable<V>; at: (group: number, key: number | string) => void } {
  const cursor = { index: -1, normalized: undefined as number | string | undefined };
  return {
    table: new StateTable<V>("s", RANGE, cursor),
    at: (group, key) => {
      cursor.index = group;
      cursor.normalized = key;
    },
  };
}

function changesOf(changes: FrozenChanges, group: number): Map<unknown, unknown> {
  const seen = new Map<unknown, unknown>();
  changes.forEachChange(
    group,
    (value, key) => seen.set(key, value),
    (key) => seen.set(key, "removed"),
  );
  return seen;
}

describe("StateTable: tracked changes", () => {
  it("a changes snapshot of primitive values holds no key group, and still gives the values as they were when it was taken", () => {
    const { table: t, at } = table<number>();
    t.trackChanges();
    for (let k = 0; k < 10; k++) {
      at(1, k);
      t.put(k);
    }
    at(2, 100);
    t.put(1);
    t.freezeChanges().release(1);
    at(1, 3);
    t.put(30);
    at(1, 4);
    t.remove();
    at(2, 100);
    t.put(2);
    const changes = t.freezeChanges();
    assert.equal(t.held(1), false, "no pre-images kept for a group of numbers");
    assert.equal(t.held(2), false);
    at(1, 3);
    t.put(31);
    at(1, 5);
    t.put(50);
    at(2, 100);
    t.remove();
    assert.deepEqual(changesOf(changes, 1), new Map<unknown, unknown>([[3, 30], [4, "removed"]]));
    assert.deepEqual(changesOf(changes, 2), new Map<unknown, unknown>([[100, 2]]));
    assert.equal(changes.changed(0), false);
  });

  it("a group where an object changed is held by the changes snapshot, which sees the object as it was, not as changed in place after", () => {
    const { table: t, at } = table<{ n: number } | number>();
    t.trackChanges();
    at(1, "a");
    t.put({ n: 1 });
    at(1, "b");
    t.put(7);
    const changes = t.freezeChanges();
    assert.equal(t.held(1), true);
    at(1, "a");
    (t.getForChange() as { n: number }).n = 2;
    at(1, "b");
    t.put(8);
    assert.deepEqual(changesOf(changes, 1), new Map<unknown, unknown>([["a", { n: 1 }], ["b", 7]]));
    changes.release(1);
    assert.equal(t.held(1), false);
  });
});

describe("StateTable: pre-images from snapshot to snapshot", () => {
  it("a key group's next snapshot records as many keys as its last one did without growing its pre-image, whatever order the groups were written out in", () => {
    const { table: t, at } = table<number>();
    const sizes = [10, 5_000, 10, 5_000];
    const writeAll = (value: number) => {
      sizes.forEach((size, group) => {
        for (let k = 0; k < size; k++) {
          at(group, group * 100_000 + k);
          t.put(value);
        }
      });
    };
    writeAll(1);
    // A snapshot written out group by group, first to last, while every key is written.
    const first = t.freeze();
    writeAll(2);
    for (let group = 0; group < sizes.length; group++) {
      first.group(group)!.forEach(() => {});
      first.release(group);
    }
    // A pre-image growing past a few thousand keys copies its arrays in one update (see PreImage).
    const grow = mock.method(NumberKeySlots.prototype as unknown as { grow(): void }, "grow");
    try {
      const second = t.freeze();
      writeAll(3);
      for (let group = 0; group < sizes.length; group++) {
        assert.equal(second.group(group)!.get(group * 100_000), 2, "the snapshot sees the value of its time");
        second.release(group);
      }
      assert.equal(grow.mock.callCount(), 0);
    } finally {
      grow.mock.restore();
    }
  });
});

describe("StateTable: a process's first snapshot", () => {
  it("records a copy of every key of a group, each object read for change, without growing the pre-image's arrays, and the snapshot sees each object as it was", () => {
    const { table: t, at } = table<{ n: number; sum: number }>();
    const keys = 5_000;
    for (let k = 0; k < keys; k++) {
      at(1, k);
      t.put({ n: k, sum: 0 });
    }
    const grows = [mock.method(NumberKeySlots.prototype as unknown as { grow(): void }, "grow"), mock.method(NumericRecords.prototype as unknown as { grow(): void }, "grow")];
    try {
      const snapshot = t.freeze();
      for (let k = 0; k < keys; k++) {
        at(1, k);
        const value = t.getForChange()!;
        value.n = -1;
        value.sum += 10;
      }
      const seen = new Map<unknown, unknown>();
      snapshot.group(1)!.forEach((value, key) => {
        seen.set(key, value);
      });
      snapshot.release(1);
      assert.equal(seen.size, keys);
      for (let k = 0; k < keys; k++) assert.deepEqual(seen.get(k), { n: k, sum: 0 }, `key ${k}`);
      assert.deepEqual(
        grows.map((grow) => grow.mock.callCount()),
        [0, 0],
        "no growth of the number-key table nor of the copies",
      );
    } finally {
      for (const grow of grows) grow.mock.restore();
    }
  });
});

describe("StateTable: a snapshot's walk of a group", () => {
  it("asked for no more entries, makes no copy of the objects it has not reached", () => {
    const { table: t, at } = table<{ n: number }>();
    const keys = 100;
    for (let k = 0; k < keys; k++) {
      at(1, k);
      t.put({ n: k });
    }
    const snapshot = t.freeze();
    for (let k = 0; k < keys; k++) {
      at(1, k);
      t.getForChange()!.n = -1;
    }
    const read = mock.method(NumericRecords.prototype, "read");
    try {
      let visits = 0;
      snapshot.group(1)!.forEach(() => {
        visits++;
        return false;
      });
      assert.equal(visits, 1);
      assert.equal(read.mock.callCount(), 1, "only the copy handed to the one visit is made");
      const seen: unknown[] = [];
      snapshot.group(1)!.forEach((value) => {
        seen.push(value);
      });
      assert.equal(seen.length, keys, "a visit that returns nothing goes on to the end");
    } finally {
      read.mock.restore();
      snapshot.release(1);
    }
  });
});
