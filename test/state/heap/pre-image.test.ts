import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../../src/state/heap/heap-keyed-state-backend.ts";
import { ABSENT, PreImage } from "../../../src/state/heap/pre-image.ts";

const recorded = (preImage: PreImage<unknown>) => {
  const out = new Map<unknown, unknown>();
  preImage.forEach((value, key) => {
    out.set(key, value);
  });
  return out;
};

describe("PreImage", () => {
  it("keeps the first record of a number key, however many records of it follow and however often its log is merged", () => {
    const preImage = new PreImage<unknown>();
    const keys = 20_000;
    // Three rounds over every key: far more records than the log holds before it is merged.
    for (let round = 0; round < 3; round++) for (let key = 0; key < keys; key++) preImage.record(key, round === 0 && key % 2 === 1 ? ABSENT : key * 10 + round);
    assert.equal(preImage.size, keys);
    for (let key = 0; key < keys; key++) assert.equal(preImage.get(key), key % 2 === 1 ? ABSENT : key * 10, `key ${key}`);
    const visited = recorded(preImage);
    assert.equal(visited.size, keys / 2, "keys that had no value are not visited");
    assert.equal(visited.get(4), 40);
  });

  it("a key logged and then recorded otherwise keeps its logged record", () => {
    const preImage = new PreImage<unknown>();
    preImage.record(7, 1);
    assert.equal(preImage.setIfAbsent(7, "later"), false);
    assert.equal(preImage.record(7, 2), true, "a logged record does not know yet");
    assert.equal(preImage.has(7), true);
    assert.equal(preImage.get(7), 1);
  });

  it("-0 and 0 are one key in the log too, and -0 as a value survives it", () => {
    const preImage = new PreImage<unknown>();
    preImage.record(-0, -0);
    preImage.record(0, 5);
    assert.equal(preImage.size, 1);
    assert.ok(Object.is(preImage.get(0), -0));
  });

  it("cleared, it forgets the logged records", () => {
    const preImage = new PreImage<unknown>();
    preImage.record(1, 1);
    preImage.clear();
    assert.equal(preImage.has(1), false);
    preImage.record(1, 2);
    assert.equal(preImage.get(1), 2);
  });
});

describe("HeapKeyedStateBackend: number state written many times over while a snapshot is live", () => {
  it("the snapshot holds each key's value as it was when taken, not any later one", () => {
    // One key group, whose pre-image logs each key three times over before the snapshot reads it.
    const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 0 }, maxParallelism: 1 });
    const state = backend.getState(new ValueStateDescriptor<number>("v"));
    const keys = 2_000;
    for (let key = 0; key < keys; key++) {
      backend.setCurrentKey(key);
      if (key % 3 !== 0) state.update(key);
    }
    const snapshot = backend.snapshot();
    for (let round = 0; round < 3; round++) {
      for (let key = 0; key < keys; key++) {
        backend.setCurrentKey(key);
        if (round === 1 && key % 5 === 0) state.clear();
        else if (key % 2 === 0) state.update((state.value() ?? 0) + 1);
        else state.update(-1);
      }
    }
    const steps = snapshot.write();
    let step = steps.next();
    while (step.done !== true) step = steps.next();
    snapshot.release();
    const restored = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 0 }, maxParallelism: 1 });
    restored.restore([step.value]);
    const restoredState = restored.getState(new ValueStateDescriptor<number>("v"));
    for (let key = 0; key < keys; key++) {
      restored.setCurrentKey(key);
      assert.equal(restoredState.value(), key % 3 === 0 ? undefined : key, `key ${key}`);
    }
  });
});
