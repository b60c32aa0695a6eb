import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { assignToKeyGroup } from "../../../src/core/key-groups.ts";
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import { UserMapEntry } from "../../../src/state/heap/heap-map-state.ts";
import { keyedStateBackendConformance } from "../keyed-state-backend-conformance.ts";
import { keyedStateSnapshotConformance } from "../keyed-state-snapshot-conformance.ts";

keyedStateBackendConformance("HeapKeyedStateBackend", (options) => new HeapKeyedStateBackend(options));

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

keyedStateSnapshotConformance("HeapKeyedStateBackend", (options) => new HeapKeyedStateBackend(options));

describe("HeapKeyedStateBackend: numeric snapshots", () => {
  for (const [label, pairs] of [
    ["32-bit integers", [[1, 7], [-5, 2_147_483_647], [300, -2_147_483_648]]],
    ["other numbers", [[1, 1.5], [2, -0], [2 ** 40, 3], [4, Number.NaN], [5, Infinity]]],
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
