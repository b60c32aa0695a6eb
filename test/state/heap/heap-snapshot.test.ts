import { describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import { flatten, PairBuffers, readKeyedSnapshot, type RestoredEntries, type RestoredState } from "../../../src/state/heap/heap-snapshot.ts";
import { NumberMap } from "../../../src/state/heap/number-map.ts";
import { NumericRecords } from "../../../src/state/heap/numeric-records.ts";
import { writeAll as written } from "../keyed-state-snapshot-conformance.ts";

const RANGE = { start: 0, end: 127 };
const count = new ValueStateDescriptor<unknown>("count");

/** Every state's restored entries of `files`, read in order into one map, at `maxParallelism` (128 wrote them). */
function read(files: readonly Uint8Array[], maxParallelism = 128, range = RANGE): Map<string, RestoredState> {
  const into = new Map<string, RestoredState>();
  for (const bytes of files) readKeyedSnapshot(bytes, range, into, maxParallelism);
  return into;
}

/** A full snapshot of counts k + 1 under keys 0..999, then one of changes: `change` run on the backend in between. */
function chain(change: (set: (key: number | string, value: unknown) => void) => void): { files: Uint8Array[]; live: HeapKeyedStateBackend } {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128, changelog: true });
  const state = backend.getState(count);
  const set = (key: number | string, value: unknown): void => {
    backend.setCurrentKey(key);
    state.update(value);
  };
  for (let k = 0; k < 1000; k++) set(k, k + 1);
  backend.snapshotChanges()!.release();
  const base = written(backend.snapshot());
  change(set);
  return { files: [base, written(backend.snapshotChanges()!)], live: backend };
}

function entriesOf(backend: HeapKeyedStateBackend, maxParallelism = 128): Map<unknown, unknown> {
  const all = new Map<unknown, unknown>();
  for (let group = 0; group < maxParallelism; group++) for (const [key, value] of backend.keyGroupEntries("count", group)) all.set(key, value);
  return all;
}

/** Every group's entries load into a typed table: edited into a NumberMap, or as numeric pairs; some were edited. */
function assertTyped(groups: Map<number, RestoredEntries>): void {
  let edited = 0;
  for (const [group, entries] of groups) {
    const map = entries.takeMap();
    if (map !== undefined) edited++;
    assert.ok(map === undefined ? entries.numericPairs() !== undefined : map instanceof NumberMap, `key group ${group}`);
  }
  assert.ok(edited > 0);
}

describe("restored entries", () => {
  it("an incremental chain of counts is applied into typed tables, which the restoring table takes over as they are", () => {
    const { files, live } = chain((set) => {
      for (let k = 0; k < 1000; k += 7) set(k, -k);
      set(5000, 3);
    });
    assertTyped(read(files).get("count")!.versions.get(1)!);
    const restored = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
    restored.restore(files);
    restored.getState(count);
    assert.deepEqual(entriesOf(restored), entriesOf(live));
  });

  it("a change that is not a number moves its key group's edited entries into a Map, with every entry as it was", () => {
    const { files, live } = chain((set) => {
      set(3, "three");
      set(4, 2.5);
      set(6, -0);
    });
    const restored = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
    restored.restore(files);
    const value = restored.getState(count);
    assert.deepEqual(entriesOf(restored), entriesOf(live));
    restored.setCurrentKey(3);
    assert.equal(value.value(), "three");
    restored.setCurrentKey(6);
    assert.ok(Object.is(value.value(), -0));
  });

  it("keys removed in the changes are gone from the typed table they were restored into", () => {
    const { files, live } = chain((set) => {
      for (let k = 0; k < 1000; k += 3) set(k, undefined);
    });
    const restored = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
    restored.restore(files);
    restored.getState(count);
    assert.equal(restored.numKeys("count"), 1000 - 334);
    assert.deepEqual(entriesOf(restored), entriesOf(live));
  });

  it("counts re-bucketed for another max parallelism load as numeric pairs, the whole incremental chain too", () => {
    const { files, live } = chain((set) => {
      for (let k = 1; k < 1000; k += 5) set(k, k * 2);
      set(2, undefined);
    });
    const full = read(files.slice(0, 1), 256, { start: 0, end: 255 }).get("count")!.versions.get(1)!;
    assert.ok(full.size > 0);
    for (const [group, entries] of full) assert.notEqual(entries.numericPairs(), undefined, `key group ${group}`);
    assertTyped(read(files, 256, { start: 0, end: 255 }).get("count")!.versions.get(1)!);
    const restored = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 255 }, maxParallelism: 256 });
    restored.restore(files);
    restored.getState(count);
    assert.deepEqual(entriesOf(restored, 256), entriesOf(live));
  });

  it("re-bucketed entries keep their order when numbers and other values are mixed: a later entry of a key wins", () => {
    const backend = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
    const state = backend.getState(count);
    for (let k = 0; k < 300; k++) {
      backend.setCurrentKey(k);
      state.update(k % 10 === 0 ? `s${k}` : k % 10 === 1 ? 0.5 : k);
    }
    const restored = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 63 }, maxParallelism: 64 });
    restored.restore([written(backend.snapshot())]);
    restored.getState(count);
    assert.deepEqual(entriesOf(restored, 64), entriesOf(backend));
  });
});

describe("flatten: the slots of groups that are not all numbers", () => {
  const state = { name: "s", kind: "value" as const, namespaced: false, filter: undefined };
  const group = (entries: [number, unknown][]) => ({
    sizeBound: entries.length,
    forEach: (visit: (value: unknown, key: number) => void) => {
      for (const [key, value] of entries) visit(value, key);
    },
  });

  it("one list serves group after group, each as long as its own entries, and keeps no value once forgotten", () => {
    const buffers = new PairBuffers();
    const first = flatten(state, group([[1, { n: 1 }], [2, { n: 2 }], [3, "x"]]), buffers);
    assert.deepEqual(first, [1, { n: 1 }, 2, { n: 2 }, 3, "x"]);
    buffers.forget();
    assert.ok(buffers.slots.every((slot) => slot === undefined), "nothing written is kept alive");
    const second = flatten(state, group([[4, { n: 4 }]]), buffers);
    assert.equal(second, first, "the same list");
    assert.deepEqual(second, [4, { n: 4 }]);
  });

  it("numbers go into the pair buffers, as 32-bit integers until one is not; a group of objects takes none", () => {
    const buffers = new PairBuffers();
    assert.deepEqual(flatten(state, group([[1, { n: 1 }], [2, 2]]), buffers), [1, { n: 1 }, 2, 2]);
    assert.equal(buffers.ints.length + buffers.floats.length, 0, "no pair buffer is made for a group of objects");
    const ints = flatten(state, group([[1, 10], [2, 20]]), buffers);
    assert.ok(ints instanceof Int32Array);
    assert.deepEqual(Array.from(ints), [1, 10, 2, 20]);
    const floats = flatten(state, group([[1, 10], [2, 2.5], [3, -0]]), buffers);
    assert.ok(floats instanceof Float64Array);
    assert.deepEqual(Array.from(floats), [1, 10, 2, 2.5, 3, -0]);
    assert.ok(Object.is(floats[5], -0));
    const first = flatten(state, group([[0.5, 1]]), buffers);
    assert.deepEqual(Array.from(first), [0.5, 1]);
  });

  it("a value that cannot be written names its state, key and the path inside it", () => {
    const buffers = new PairBuffers();
    assert.throws(
      () => flatten(state, group([[1, { n: 1 }], [7, { f: () => 1 }]]), buffers),
      (e: Error & { code?: string }) => e.code === "WEIR_ERR_VALUE_NOT_SERIALIZABLE" && /value state 's' under key 7 holds at value\.f a function/.test(e.message),
    );
  });
});

describe("HeapSnapshot: objects changed in place while it is written", () => {
  it("restores each value as it was when the snapshot was taken, copies kept as numbers or not, under number and string keys", () => {
    type Value = Record<string, unknown>;
    const backend = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
    const state = backend.getState(new ValueStateDescriptor<Value>("v"));
    const keys: (number | string)[] = [];
    for (let k = 0; k < 3000; k++) keys.push(k, `s${k}`);
    const initial = (key: number | string): Value => {
      const k = typeof key === "number" ? key : Number(key.slice(1));
      if (k % 13 === 0) return { n: k, inner: { m: k } };
      if (k % 11 === 0) return { x: k, y: k / 4, z: -k };
      if (k % 7 === 0) return { a: -0, b: k };
      return { n: k, sum: k * 0.5, big: k * 2 ** 33 };
    };
    const change = (key: number | string): void => {
      backend.setCurrentKey(key);
      const value = state.value()!;
      for (const field of Object.keys(value)) value[field] = field === "inner" ? { m: -1 } : -1;
      state.update(value);
    };
    for (const key of keys) {
      backend.setCurrentKey(key);
      state.update(initial(key));
    }
    const snapshot = backend.snapshot();
    // Half the keys change before anything is written, the rest between the groups written.
    keys.slice(0, keys.length / 2).forEach(change);
    const rest = keys.slice(keys.length / 2);
    const packed = mock.method(NumericRecords.prototype, "writePacked");
    const steps = snapshot.write();
    let step = steps.next();
    while (!step.done) {
      rest.splice(0, 200).forEach(change);
      step = steps.next();
    }
    snapshot.release();
    const written = packed.mock.calls.filter((call) => call.result === true).length;
    packed.mock.restore();
    assert.ok(written > 1000, `copies written from their numbers: ${written}`);
    const restored = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
    restored.restore([step.value]);
    const read = restored.getState(new ValueStateDescriptor<Value>("v"));
    for (const key of keys) {
      restored.setCurrentKey(key);
      assert.deepEqual(read.value(), initial(key), `key ${String(key)}`);
      backend.setCurrentKey(key);
      assert.ok(Object.values(state.value()!).every((v) => v === -1 || (v as { m: number }).m === -1), "the live state keeps its changes");
    }
    restored.setCurrentKey(7);
    assert.ok(Object.is(read.value()!.a, -0), "-0 is restored as -0");
  });
});
