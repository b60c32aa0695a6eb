import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../../src/state/keyed-state-snapshot.ts";
import { scanKeyedSnapshot } from "../../../src/state/heap/heap-snapshot.ts";

const RANGE = { keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 };
const count = new ValueStateDescriptor<number>("count");
const record = new ValueStateDescriptor<{ n: number; tags: string[] }>("record");

function written(snapshot: KeyedStateSnapshot): Uint8Array {
  const steps = snapshot.write();
  let step = steps.next();
  while (!step.done) step = steps.next();
  snapshot.release();
  return step.value;
}

function counts(backend: HeapKeyedStateBackend): Map<unknown, unknown> {
  const all = new Map<unknown, unknown>();
  for (let group = 0; group < 128; group++) for (const [key, value] of backend.keyGroupEntries("count", group)) all.set(key, value);
  return all;
}

function restoredFrom(files: Uint8Array[]): HeapKeyedStateBackend {
  const backend = new HeapKeyedStateBackend(RANGE);
  backend.restore(files);
  backend.getState(count);
  return backend;
}

describe("HeapKeyedStateBackend: changes snapshots (incremental checkpoints)", () => {
  it("a full snapshot and the changes after it restore, in order, to the live state: changed, new and removed keys", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    const state = backend.getState(count);
    for (let k = 0; k < 1000; k++) {
      backend.setCurrentKey(k);
      state.update(k);
    }
    backend.snapshotChanges()!.release();
    const base = written(backend.snapshot());
    const files = [base];
    for (let round = 1; round <= 3; round++) {
      for (let k = round; k < 1000; k += 97) {
        backend.setCurrentKey(k);
        state.update(k * 10 + round);
      }
      backend.setCurrentKey(1000 + round);
      state.update(round);
      backend.setCurrentKey(round * 5);
      state.clear();
      files.push(written(backend.snapshotChanges()!));
      assert.deepEqual(counts(restoredFrom(files)), counts(backend), `after round ${round}`);
    }
  });

  it("the changes hold only the keys that changed: at 1% of keys changed, a small fraction of the full snapshot", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    const state = backend.getState(count);
    for (let k = 0; k < 100_000; k++) {
      backend.setCurrentKey(k);
      state.update(k);
    }
    backend.snapshotChanges()!.release();
    const changedOnly = new HeapKeyedStateBackend(RANGE);
    const same = changedOnly.getState(count);
    for (let k = 0; k < 100_000; k += 100) {
      backend.setCurrentKey(k);
      state.update(k + 1);
      changedOnly.setCurrentKey(k);
      same.update(k + 1);
    }
    const changes = written(backend.snapshotChanges()!);
    const full = written(backend.snapshot());
    const changedEntries = written(changedOnly.snapshot());
    assert.ok(changes.length <= 3 * changedEntries.length, `${changes.length} bytes of changes for ${changedEntries.length} bytes of changed entries`);
    assert.ok(changes.length * 20 < full.length, `${changes.length} bytes of changes against ${full.length} of the full snapshot`);
  });

  it("few changes are written in one step whatever number of key groups they fall in; many, in steps of some ten thousand keys", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    const state = backend.getState(count);
    backend.snapshotChanges()!.release();
    const stepsOf = (snapshot: KeyedStateSnapshot): number => {
      const steps = snapshot.write();
      let n = 0;
      while (!steps.next().done) n++;
      snapshot.release();
      return n;
    };
    const change = (keys: number): void => {
      for (let k = 0; k < keys; k++) {
        backend.setCurrentKey(k);
        state.update(k);
      }
    };
    change(1000);
    assert.equal(new Set(Array.from({ length: 1000 }, (_, k) => (backend.setCurrentKey(k), backend.getCurrentKeyGroup()))).size, 128, "every key group changed");
    assert.equal(stepsOf(backend.snapshotChanges()!), 0);
    change(16_000);
    assert.equal(stepsOf(backend.snapshotChanges()!), 0, "16,000 changed keys in one step");
    change(100_000);
    const steps = stepsOf(backend.snapshotChanges()!);
    assert.ok(steps >= 4 && steps <= 7, `100,000 changed keys in ${steps} steps`);
  });

  it("an object changed in place through a value read for change, and not written back, is in the changes, as it was at the snapshot", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    const state = backend.getState(record);
    backend.setCurrentKey("a");
    state.update({ n: 1, tags: [] });
    backend.snapshotChanges()!.release();
    const base = written(backend.snapshot());
    const value = state.value()!;
    value.n = 2;
    value.tags.push("x");
    const changes = backend.snapshotChanges()!;
    // The next record's call reads it again and changes it in place as well.
    const again = state.value()!;
    again.n = 3;
    again.tags.push("later");
    const restored = new HeapKeyedStateBackend(RANGE);
    restored.restore([base, written(changes)]);
    restored.setCurrentKey("a");
    assert.deepEqual(restored.getState(record).value(), { n: 2, tags: ["x"] });
  });

  it("nothing changed writes no key group, and a restore or migration makes the next changes unavailable once", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    const state = backend.getState(count);
    backend.setCurrentKey(1);
    state.update(1);
    const first = written(backend.snapshotChanges()!);
    const empty = written(backend.snapshotChanges()!);
    assert.equal(empty.length < first.length, true);
    const restored = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    restored.restore([first]);
    assert.equal(restored.snapshotChanges(), undefined);
    assert.notEqual(restored.snapshotChanges(), undefined);
  });

  it("changes restore into another key-group range and max parallelism, each key where it belongs there", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    const state = backend.getState(count);
    for (let k = 0; k < 300; k++) {
      backend.setCurrentKey(k);
      state.update(k);
    }
    const base = written(backend.snapshotChanges()!);
    for (let k = 0; k < 300; k += 3) {
      backend.setCurrentKey(k);
      if (k % 2 === 0) state.clear();
      else state.update(-k);
    }
    const changes = written(backend.snapshotChanges()!);
    const halves = [{ start: 0, end: 31 }, { start: 32, end: 63 }].map((keyGroupRange) => {
      const part = new HeapKeyedStateBackend({ keyGroupRange, maxParallelism: 64 });
      part.restore([base, changes]);
      part.getState(count);
      return part;
    });
    const together = new Map<unknown, unknown>();
    for (const part of halves) for (let group = part.keyGroupRange.start; group <= part.keyGroupRange.end; group++) for (const [k, v] of part.keyGroupEntries("count", group)) together.set(k, v);
    assert.deepEqual(together, counts(backend));
  });

  it("reading changes offline, as a savepoint's keyed state, is refused with a reason", () => {
    const backend = new HeapKeyedStateBackend({ ...RANGE, changelog: true });
    backend.getState(count);
    backend.setCurrentKey(1);
    backend.getState(count).update(1);
    const changes = written(backend.snapshotChanges()!);
    assert.throws(() => scanKeyedSnapshot(changes), /changes of an incremental checkpoint/);
  });
});
