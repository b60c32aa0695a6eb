/**
 * The snapshot conformance suite every keyed state backend passes: a snapshot is isolated from
 * later writes of every state kind, restores into any key-group range, carries state that was
 * restored but not yet asked for, and refuses corrupt bytes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { keyGroupRangeForSubtask, type KeyGroupRange } from "../../src/core/key-groups.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../../src/state/descriptors.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../src/state/heap/heap-snapshot.ts";

type Factory = (options: { keyGroupRange: KeyGroupRange; maxParallelism: number }) => KeyedStateBackend;

const MAX = 16;
const FULL = { start: 0, end: MAX - 1 };

const value = new ValueStateDescriptor<number>("value");
const list = new ListStateDescriptor<number>("list");
const map = new MapStateDescriptor<string, number>("map");
const reducing = new ReducingStateDescriptor<number>("reducing", (a, b) => a + b);
/** An accumulator changed in place, as many aggregate functions do. */
const aggregating = new AggregatingStateDescriptor<number, { sum: number; n: number }, number>("aggregating", {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  add: (v, acc) => {
    acc.sum += v;
    acc.n++;
    return acc;
  },
  getResult: (acc) => acc.sum * 1000 + acc.n,
});

type Op = { key: number; kind: "value" | "list" | "map" | "reducing" | "aggregating" | "clear"; n: number };

const ops = fc.array(
  fc.record({
    key: fc.integer({ min: 0, max: 40 }),
    kind: fc.constantFrom("value", "list", "map", "reducing", "aggregating", "clear") as fc.Arbitrary<Op["kind"]>,
    n: fc.integer({ min: 0, max: 9 }),
  }),
  { maxLength: 60 },
);

function apply(backend: KeyedStateBackend, op: Op): void {
  backend.setCurrentKey(op.key);
  switch (op.kind) {
    case "value":
      backend.getState(value).update(op.n);
      break;
    case "list":
      backend.getState(list).add(op.n);
      break;
    case "map":
      backend.getState(map).put(`k${op.n % 3}`, op.n);
      break;
    case "reducing":
      backend.getState(reducing).add(op.n);
      break;
    case "aggregating":
      backend.getState(aggregating).add(op.n);
      break;
    case "clear":
      for (const d of [value, list, map, reducing, aggregating]) backend.getState(d).clear();
      break;
  }
}

/** Everything readable for keys 0..40, as plain data. */
function contents(backend: KeyedStateBackend, range: KeyGroupRange = FULL): unknown[] {
  const out: unknown[] = [];
  for (let key = 0; key <= 40; key++) {
    try {
      backend.setCurrentKey(key);
    } catch {
      continue;
    }
    const row = [
      key,
      backend.getState(value).value(),
      backend.getState(list).get(),
      [...backend.getState(map).entries()].sort(),
      backend.getState(reducing).get(),
      backend.getState(aggregating).get(),
    ];
    if (row.slice(1).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0))) out.push(row);
  }
  void range;
  return out;
}

function writeAll(snapshot: KeyedStateSnapshot): Uint8Array {
  const steps = snapshot.write();
  for (;;) {
    const step = steps.next();
    if (step.done) {
      snapshot.release();
      return step.value;
    }
  }
}

export function keyedStateSnapshotConformance(name: string, create: Factory): void {
  describe(`${name}: snapshots`, () => {
    it("a snapshot shows the state as it was when taken, whatever is written while it is written out", () => {
      fc.assert(
        fc.property(ops, ops, (before, after) => {
          const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
          for (const op of before) apply(backend, op);
          const expected = contents(backend);
          const snapshot = backend.snapshot();
          const steps = snapshot.write();
          // Half the writes land before anything is written out, the rest between key groups.
          let i = 0;
          for (; i < after.length / 2; i++) apply(backend, after[i]!);
          let result = steps.next();
          while (!result.done) {
            if (i < after.length) apply(backend, after[i++]!);
            result = steps.next();
          }
          for (; i < after.length; i++) apply(backend, after[i]!);
          snapshot.release();
          const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
          restored.restore([result.value]);
          assert.deepEqual(contents(restored), expected);
        }),
        { numRuns: 150 },
      );
    });

    it("two overlapping snapshots each show the state as it was when taken, whatever order they are written in", () => {
      fc.assert(
        fc.property(ops, ops, ops, fc.array(fc.boolean(), { maxLength: 40 }), (first, between, after, order) => {
          const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
          for (const op of first) apply(backend, op);
          const expectedA = contents(backend);
          const a = backend.snapshot();
          for (const op of between) apply(backend, op);
          const expectedB = contents(backend);
          const b = backend.snapshot();
          const stepsA = a.write();
          const stepsB = b.write();
          let doneA: IteratorResult<void, Uint8Array> = { done: false, value: undefined };
          let doneB: IteratorResult<void, Uint8Array> = { done: false, value: undefined };
          let i = 0;
          let o = 0;
          while (!doneA.done || !doneB.done) {
            const pickA = doneB.done || (!doneA.done && (order[o++ % Math.max(order.length, 1)] ?? true));
            if (pickA) doneA = stepsA.next();
            else doneB = stepsB.next();
            if (i < after.length) apply(backend, after[i++]!);
          }
          a.release();
          b.release();
          for (const [bytes, expected] of [[doneA.value, expectedA], [doneB.value, expectedB]] as const) {
            const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
            restored.restore([bytes]);
            assert.deepEqual(contents(restored), expected);
          }
        }),
        { numRuns: 150 },
      );
    });

    it("the live state keeps every write made while a snapshot was alive", () => {
      fc.assert(
        fc.property(ops, ops, (before, after) => {
          const withSnapshot = create({ keyGroupRange: FULL, maxParallelism: MAX });
          const plain = create({ keyGroupRange: FULL, maxParallelism: MAX });
          for (const op of before) [withSnapshot, plain].forEach((b) => apply(b, op));
          const snapshot = withSnapshot.snapshot();
          for (const op of after) [withSnapshot, plain].forEach((b) => apply(b, op));
          writeAll(snapshot);
          assert.deepEqual(contents(withSnapshot), contents(plain));
        }),
        { numRuns: 100 },
      );
    });

    it("a snapshot restores into backends of other key-group ranges, each keeping its own keys", () => {
      const source = create({ keyGroupRange: FULL, maxParallelism: MAX });
      for (let key = 0; key <= 40; key++) apply(source, { key, kind: "list", n: key % 10 });
      const bytes = writeAll(source.snapshot());
      const parts = [0, 1, 2].map((i) => {
        const keyGroupRange = keyGroupRangeForSubtask(i, 3, MAX);
        const backend = create({ keyGroupRange, maxParallelism: MAX });
        backend.restore([bytes]);
        return contents(backend, keyGroupRange);
      });
      assert.deepEqual(parts.flat().sort((a, b) => (a as number[])[0]! - (b as number[])[0]!), contents(source));
      assert.ok(parts.every((p) => p.length > 0 && p.length < 41));
    });

    it("state restored but not yet asked for is kept in the next snapshot", () => {
      const first = create({ keyGroupRange: FULL, maxParallelism: MAX });
      apply(first, { key: 7, kind: "value", n: 3 });
      const second = create({ keyGroupRange: FULL, maxParallelism: MAX });
      second.restore([writeAll(first.snapshot())]);
      const third = create({ keyGroupRange: FULL, maxParallelism: MAX });
      third.restore([writeAll(second.snapshot())]);
      third.setCurrentKey(7);
      assert.equal(third.getState(value).value(), 3);
    });

    it("restored state asked for as another kind is refused", () => {
      const first = create({ keyGroupRange: FULL, maxParallelism: MAX });
      apply(first, { key: 1, kind: "value", n: 3 });
      const second = create({ keyGroupRange: FULL, maxParallelism: MAX });
      second.restore([writeAll(first.snapshot())]);
      assert.throws(() => second.getState(new ListStateDescriptor<number>("value")), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CONFLICT");
    });

    it("truncated or foreign bytes are refused as corrupt", () => {
      const first = create({ keyGroupRange: FULL, maxParallelism: MAX });
      for (let key = 0; key < 10; key++) apply(first, { key, kind: "value", n: key });
      const bytes = writeAll(first.snapshot());
      const corrupt = (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CORRUPT";
      assert.throws(() => create({ keyGroupRange: FULL, maxParallelism: MAX }).restore([bytes.subarray(0, bytes.length - 3)]), corrupt);
      assert.throws(() => create({ keyGroupRange: FULL, maxParallelism: MAX }).restore([new TextEncoder().encode("not a snapshot")]), corrupt);
    });
  });
}
