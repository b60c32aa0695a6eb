import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WeirError } from "../../../src/core/errors.ts";
import { assignToKeyGroup, normalizeKey } from "../../../src/core/key-groups.ts";
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../../src/state/keyed-state-snapshot.ts";
import { UserMapEntry } from "../../../src/state/heap/heap-map-state.ts";
import { TimeWindow } from "../../../src/windowing/windows.ts";

const fullBackend = () => new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });

describe("HeapKeyedStateBackend: stored forms", () => {
  it("a list read is a copy: changing it leaves the state alone", () => {
    const backend = fullBackend();
    const list = backend.getState(new ListStateDescriptor<number>("l"));
    backend.setCurrentKey("k");
    list.addAll([1, 2]);
    (list.get() as number[]).push(3);
    assert.deepEqual(list.get(), [1, 2]);
  });

  it("a list update does not alias the array it was given", () => {
    const backend = fullBackend();
    const list = backend.getState(new ListStateDescriptor<number>("l"));
    backend.setCurrentKey("k");
    const given = [1, 2];
    list.update(given);
    given.push(3);
    assert.deepEqual(list.get(), [1, 2]);
  });

  it("key-group entries hold values as stored, composite keys in canonical form", () => {
    const backend = fullBackend();
    const v = backend.getState(new ValueStateDescriptor<number>("v"));
    const m = backend.getState(new MapStateDescriptor<{ id: number }, string>("m"));
    const key = { b: 2, a: 1 };
    backend.setCurrentKey(key);
    v.update(9);
    m.put({ id: 1 }, "x");
    const group = assignToKeyGroup(key, 128);
    assert.deepEqual([...backend.keyGroupEntries("v", group)], [['\u0001{"a":1,"b":2}', 9]]);
    const [[storedKey, userMap]] = [...backend.keyGroupEntries("m", group)] as [string, Map<string, UserMapEntry<{ id: number }, string>>][];
    assert.equal(storedKey, '\u0001{"a":1,"b":2}');
    assert.deepEqual([...userMap], [['\u0001{"id":1}', new UserMapEntry({ id: 1 }, "x")]]);
  });

  it("a composite key and the string of its canonical text are different keys", () => {
    const backend = fullBackend();
    const v = backend.getState(new ValueStateDescriptor<number>("v"));
    backend.setCurrentKey(["a"]);
    v.update(1);
    backend.setCurrentKey('["a"]');
    assert.equal(v.value(), undefined);
    backend.setCurrentKey("\u0001[\"a\"]");
    assert.equal(v.value(), undefined);
  });

  it("getState returns the very same object for one name", () => {
    const backend = fullBackend();
    assert.equal(backend.getState(new ValueStateDescriptor<number>("v")), backend.getState(new ValueStateDescriptor<number>("v")));
  });
});

class Tally {
  constructor(public n: number) {}
  next(): number {
    return ++this.n;
  }
}

function writeOut(backend: HeapKeyedStateBackend): void {
  writeAndRelease(backend.snapshot());
}

function writeAndRelease(snapshot: KeyedStateSnapshot): Uint8Array {
  const steps = snapshot.write();
  let step = steps.next();
  while (step.done !== true) step = steps.next();
  snapshot.release();
  return step.value;
}

/** The value of state "v" of key "k" in a backend restored from `bytes`. */
function restoredValue(bytes: Uint8Array): unknown {
  const restored = fullBackend();
  restored.restore([bytes]);
  restored.setCurrentKey("k");
  return restored.getState(new ValueStateDescriptor<unknown>("v")).value();
}

describe("HeapKeyedStateBackend: namespaced entry keys", () => {
  it("are the JSON of the (key, namespace) pair as normalized and tagged, the form snapshots hold, for keys and namespaces of every kind", () => {
    const tagged = (v: unknown): unknown => (typeof v === "bigint" ? { b: v.toString() } : v === undefined ? { u: 0 } : typeof v === "number" && !Number.isFinite(v) ? { n: String(v) } : v);
    const values: unknown[] = [0, -0, 1.5, Number.NaN, -Infinity, 2 ** 60, "", 'a"b', "a\\b", "\u0001x", "tab\t", "\ud800", "é😀", "\u2028", true, null, undefined, 5n, [1, "a"], { z: 1, a: [2] }, new TimeWindow(0, 3000), new TimeWindow(-5, 1.25)];
    const backend = fullBackend();
    const handle = backend.getNamespacedState<unknown, number>(new ValueStateDescriptor<number>("ns"));
    const expected = new Set<string>();
    for (const key of values) {
      for (const namespace of values) {
        backend.setCurrentKey(key);
        handle.setCurrentNamespace(namespace);
        handle.state.update(1);
        expected.add(JSON.stringify([tagged(normalizeKey(key)), tagged(normalizeKey(namespace))]));
      }
    }
    const stored = new Set<string>();
    for (let group = 0; group < 128; group++) for (const [entryKey] of backend.keyGroupEntries("ns", group)) stored.add(entryKey as string);
    assert.deepEqual([...stored].sort(), [...expected].sort());
  });
});

describe("HeapKeyedStateBackend: namespaced values", () => {
  it("say whether the current key holds a value in the current namespace, an emptied list holding none", () => {
    const backend = fullBackend();
    const handle = backend.getNamespacedState<string, number>(new ListStateDescriptor<number>("list"));
    backend.setCurrentKey("k");
    handle.setCurrentNamespace("w1");
    assert.equal(handle.hasValue(), false);
    handle.state.add(1);
    assert.equal(handle.hasValue(), true);
    handle.setCurrentNamespace("w2");
    assert.equal(handle.hasValue(), false, "another namespace of the key");
    backend.setCurrentKey("other");
    handle.setCurrentNamespace("w1");
    assert.equal(handle.hasValue(), false, "another key in the namespace");
    backend.setCurrentKey("k");
    assert.equal(handle.hasValue(), true);
    handle.setCurrentNamespace("w2");
    handle.state.update([]);
    handle.setCurrentNamespace("w1");
    assert.equal(handle.hasValue(), true, "emptying another namespace leaves this one");
    handle.state.update([]);
    assert.equal(handle.hasValue(), false);
  });
});

describe("HeapKeyedStateBackend: copies only where sharing could do harm", () => {
  it("with no snapshot live, reads hand out the stored objects themselves", () => {
    const backend = fullBackend();
    const value = backend.getState(new ValueStateDescriptor<{ n: number }>("v"));
    const list = backend.getState(new ListStateDescriptor<{ n: number }>("l"));
    const map = backend.getState(new MapStateDescriptor<string, { n: number }>("m"));
    backend.setCurrentKey("k");
    const stored = { n: 1 };
    value.update(stored);
    list.add(stored);
    map.put("a", stored);
    assert.equal(value.value(), stored);
    assert.equal(list.get()[0], stored);
    assert.equal(map.get("a"), stored);
    assert.equal([...map.values()][0], stored);
  });

  it("under a live snapshot the state keeps its object and the snapshot gets a copy, made once per key on the first read", () => {
    const backend = fullBackend();
    const value = backend.getState(new ValueStateDescriptor<{ n: number }>("v"));
    backend.setCurrentKey("k");
    const stored = { n: 1 };
    value.update(stored);
    const snapshot = backend.snapshot();
    const read = value.value()!;
    assert.equal(read, stored, "reads hand out the state's own object");
    read.n++;
    value.update(read);
    value.value()!.n++;
    assert.equal(value.value(), stored);
    assert.deepEqual(restoredValue(writeAndRelease(snapshot)), { n: 1 }, "the snapshot got the object as it was");
    assert.equal(stored.n, 3);
  });

  it("with two snapshots live, each sees the key as it was when taken", () => {
    const backend = fullBackend();
    const value = backend.getState(new ValueStateDescriptor<{ n: number }>("v"));
    backend.setCurrentKey("k");
    const stored = { n: 1 };
    value.update(stored);
    const first = backend.snapshot();
    value.value()!.n++;
    const second = backend.snapshot();
    value.value()!.n++;
    assert.deepEqual(restoredValue(writeAndRelease(second)), { n: 2 });
    assert.deepEqual(restoredValue(writeAndRelease(first)), { n: 1 });
    assert.equal(value.value(), stored);
  });

  it("a key group a snapshot has written out is no longer copied", () => {
    const backend = fullBackend();
    const value = backend.getState(new ValueStateDescriptor<{ n: number }>("v"));
    backend.setCurrentKey("k");
    const stored = { n: 1 };
    value.update(stored);
    writeOut(backend);
    assert.equal(value.value(), stored);
  });

  it("under a live snapshot a value of a user class is read as that class", () => {
    const backend = fullBackend();
    const value = backend.getState(new ValueStateDescriptor<Tally>("v"));
    backend.setCurrentKey("k");
    value.update(new Tally(1));
    const snapshot = backend.snapshot();
    const read = value.value()!;
    assert.ok(read instanceof Tally);
    assert.equal(read.next(), 2);
    snapshot.release();
  });

  it("writing a snapshot after releasing it is an internal error, not a silently empty snapshot", () => {
    const backend = fullBackend();
    const value = backend.getState(new ValueStateDescriptor<number>("v"));
    backend.setCurrentKey("k");
    value.update(1);
    const snapshot = backend.snapshot();
    snapshot.release();
    const steps = snapshot.write();
    assert.throws(() => {
      while (!steps.next().done);
    }, (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INTERNAL");
  });
});

describe("HeapKeyedStateBackend: numeric snapshots", () => {
  for (const [label, pairs] of [
    ["32-bit integers", [[1, 7], [-5, 2_147_483_647], [300, -2_147_483_648]]],
    ["other numbers", [[1, 1.5], [2, -0], [2 ** 40, 3], [4, Number.NaN], [5, Infinity]]],
    // Every key group holds integers first, then (in insertion order) one fraction.
    ["integers followed by fractions in each key group", [...Array.from({ length: 2000 }, (_, k) => [k, k] as const), ...Array.from({ length: 2000 }, (_, k) => [2000 + k, k + 0.25] as const)]],
  ] as const) {
    it(`restores ${label} exactly, -0 and NaN included`, () => {
      const source = fullBackend();
      const value = source.getState(new ValueStateDescriptor<number>("v"));
      for (const [k, v] of pairs) {
        source.setCurrentKey(k);
        value.update(v);
      }
      const snapshot = source.snapshot();
      const steps = snapshot.write();
      let step = steps.next();
      while (!step.done) step = steps.next();
      snapshot.release();
      const restored = fullBackend();
      restored.restore([step.value]);
      const restoredValue = restored.getState(new ValueStateDescriptor<number>("v"));
      for (const [k, v] of pairs) {
        restored.setCurrentKey(k);
        assert.ok(Object.is(restoredValue.value(), v), `key ${k}: expected ${v}, got ${restoredValue.value()}`);
      }
    });
  }
});

describe("HeapKeyedStateBackend: state restored from numeric sections", () => {
  /** A backend restored from a snapshot of counts under number keys 0..keys-1 (count k + 1 for key k). */
  function restoredCounts(keys: number): HeapKeyedStateBackend {
    const source = fullBackend();
    const counts = source.getState(new ValueStateDescriptor<number>("v"));
    for (let k = 0; k < keys; k++) {
      source.setCurrentKey(k);
      counts.update(k + 1);
    }
    const restored = fullBackend();
    restored.restore([writeAndRelease(source.snapshot())]);
    return restored;
  }

  it("takes values that are not numbers, and keys that are not, beside the restored counts of their key group", () => {
    const backend = restoredCounts(1000);
    const value = backend.getState(new ValueStateDescriptor<unknown>("v"));
    backend.setCurrentKey(7);
    value.update({ text: "seven" });
    backend.setCurrentKey("7");
    value.update("a string key");
    backend.setCurrentKey(8);
    value.update(2.5);
    backend.setCurrentKey(7);
    assert.deepEqual(value.value(), { text: "seven" });
    backend.setCurrentKey("7");
    assert.equal(value.value(), "a string key");
    backend.setCurrentKey(8);
    assert.equal(value.value(), 2.5);
    for (const k of [0, 6, 9, 999]) {
      backend.setCurrentKey(k);
      assert.equal(value.value(), k + 1, `key ${k}`);
    }
    assert.equal(backend.numKeys("v"), 1001);
  });

  it("a snapshot taken before a key group's first value that is not a number writes the group as it was", () => {
    const backend = restoredCounts(500);
    const value = backend.getState(new ValueStateDescriptor<unknown>("v"));
    const snapshot = backend.snapshot();
    backend.setCurrentKey(3);
    value.update("three");
    backend.setCurrentKey(4);
    value.clear();
    backend.setCurrentKey(5);
    value.update(60);
    const restored = fullBackend();
    restored.restore([writeAndRelease(snapshot)]);
    const again = restored.getState(new ValueStateDescriptor<unknown>("v"));
    for (let k = 0; k < 500; k++) {
      restored.setCurrentKey(k);
      assert.equal(again.value(), k + 1, `key ${k}`);
    }
    backend.setCurrentKey(3);
    assert.equal(value.value(), "three");
    backend.setCurrentKey(4);
    assert.equal(value.value(), undefined);
    backend.setCurrentKey(5);
    assert.equal(value.value(), 60);
  });

  it("counts of two subtasks restored into one (scaled in) hold both halves, and take values that are not numbers in either", () => {
    const halves = [
      { start: 0, end: 63 },
      { start: 64, end: 127 },
    ].map((keyGroupRange) => {
      const half = new HeapKeyedStateBackend({ keyGroupRange, maxParallelism: 128 });
      const counts = half.getState(new ValueStateDescriptor<number>("v"));
      for (let k = 0; k < 2000; k++) {
        if (assignToKeyGroup(k, 128) < keyGroupRange.start || assignToKeyGroup(k, 128) > keyGroupRange.end) continue;
        half.setCurrentKey(k);
        counts.update(k * 3);
      }
      return writeAndRelease(half.snapshot());
    });
    const backend = fullBackend();
    backend.restore(halves);
    const value = backend.getState(new ValueStateDescriptor<unknown>("v"));
    for (let k = 0; k < 2000; k += 100) {
      backend.setCurrentKey(k);
      value.update(`text ${k}`);
    }
    for (let k = 0; k < 2000; k++) {
      backend.setCurrentKey(k);
      assert.equal(value.value(), k % 100 === 0 ? `text ${k}` : k * 3, `key ${k}`);
    }
    assert.equal(backend.numKeys("v"), 2000);
  });

  it("restored counts, changed, cleared and added to, restore again as they are now", () => {
    const backend = restoredCounts(3000);
    const value = backend.getState(new ValueStateDescriptor<number>("v"));
    for (let k = 0; k < 3000; k += 3) {
      backend.setCurrentKey(k);
      value.clear();
    }
    for (let k = 1; k < 3000; k += 3) {
      backend.setCurrentKey(k);
      value.update((value.value() ?? 0) * 2);
    }
    for (let k = 3000; k < 4000; k++) {
      backend.setCurrentKey(k);
      value.update(k === 3500 ? -0 : k + 0.5);
    }
    const restored = fullBackend();
    restored.restore([writeAndRelease(backend.snapshot())]);
    const again = restored.getState(new ValueStateDescriptor<number>("v"));
    for (let k = 0; k < 4000; k++) {
      restored.setCurrentKey(k);
      const expected = k >= 3000 ? (k === 3500 ? -0 : k + 0.5) : k % 3 === 0 ? undefined : k % 3 === 1 ? (k + 1) * 2 : k + 1;
      assert.ok(Object.is(again.value(), expected), `key ${k}: expected ${expected}, got ${again.value()}`);
    }
    assert.equal(restored.numKeys("v"), 3000 - 1000 + 1000);
  });
});
