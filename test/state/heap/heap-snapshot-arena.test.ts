import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";

const RANGE = { start: 0, end: 127 };
const v = new ValueStateDescriptor<Record<string, number>>("v");

function filled(seed: number): HeapKeyedStateBackend {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
  const state = backend.getState(v);
  for (let k = 0; k < 60_000; k++) {
    backend.setCurrentKey(k);
    state.update({ a: k + seed, b: (k + seed) * 0.5, c: -k });
  }
  return backend;
}

function values(bytes: Uint8Array): number[] {
  const restored = new HeapKeyedStateBackend({ keyGroupRange: RANGE, maxParallelism: 128 });
  restored.restore([bytes]);
  const state = restored.getState(v);
  const out: number[] = [];
  for (let k = 0; k < 60_000; k++) {
    restored.setCurrentKey(k);
    out.push(state.value()!.a);
  }
  return out;
}

describe("review: pooled chunks under interleaved snapshots", () => {
  it("a snapshot written while others are aborted and written in between restores its own values", () => {
    const a = filled(0);
    const b = filled(1_000_000);
    const sa = a.snapshot();
    const sb = b.snapshot();
    const stepsA = sa.write();
    const stepsB = sb.write();
    let stepA = stepsA.next();
    for (let i = 0; i < 100; i++) stepsB.next();
    sb.release(); // aborted: its chunks go back to the pool mid-way
    // Another snapshot of b, taking the chunks b's first one gave back, interleaved with a's.
    const sc = b.snapshot();
    const stepsC = sc.write();
    let stepC = stepsC.next();
    while (!stepA.done || !stepC.done) {
      if (!stepA.done) stepA = stepsA.next();
      if (!stepC.done) stepC = stepsC.next();
    }
    sa.release();
    sc.release();
    const expectA = Array.from({ length: 60_000 }, (_, k) => k);
    const expectC = Array.from({ length: 60_000 }, (_, k) => k + 1_000_000);
    assert.deepEqual(values(stepA.value as Uint8Array), expectA);
    assert.deepEqual(values(stepC.value as Uint8Array), expectC);
  });
});
