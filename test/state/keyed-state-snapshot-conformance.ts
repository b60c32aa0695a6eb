/**
 * The snapshot conformance suite every keyed state backend passes: a snapshot is isolated from
 * later writes of every state kind, including in-place changes of objects taken from state (as
 * TypeScript code makes them), with several snapshots live and released in any order; it restores
 * into any key-group range, carries state that was restored but not yet asked for, shares nothing
 * with state asked for only after a restore, and refuses corrupt bytes; the same for namespaced
 * state, whose merges while a snapshot is written do not reach it either.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WeirError } from "../../src/core/errors.ts";
import { assignToKeyGroup, keyGroupRangeForSubtask, type KeyGroupRange } from "../../src/core/key-groups.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../../src/state/descriptors.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import type { KeyedStateSnapshot } from "../../src/state/keyed-state-snapshot.ts";

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

// ---- object state, changed in place ----

type Counter = { n: number; tags: string[] };

const objValue = new ValueStateDescriptor<Counter>("objValue");
const objList = new ListStateDescriptor<Counter>("objList");
const objMap = new MapStateDescriptor<string, Counter>("objMap");
/** Folds in place into the accumulated object, as reduce functions often do. */
const objReducing = new ReducingStateDescriptor<Counter>("objReducing", (acc, v) => {
  acc.n += v.n;
  acc.tags.push(...v.tags);
  return acc;
});
/** Returns the accumulator itself as its result, which the caller may then change. */
const objAggregating = new AggregatingStateDescriptor<number, Counter, Counter>("objAggregating", {
  createAccumulator: () => ({ n: 0, tags: [] }),
  add: (v, acc) => {
    acc.n += v;
    acc.tags.push(`+${v}`);
    return acc;
  },
  getResult: (acc) => acc,
});

const objectKinds = [
  "valueChange", // s = value(); s.n += n; update(s) — or, for odd n, no update
  "valueSet",
  "listAdd",
  "listChange", // get()[0].n += n, not written back
  "listUpdate",
  "mapPut",
  "mapChange", // get(k).n += n, and a value from entries() changed
  "mapRemove",
  "reducingAdd",
  "reducingChange", // get().tags.push(...)
  "aggregatingAdd",
  "aggregatingChange", // get().n += n on the accumulator itself
  "clear",
] as const;
type ObjectOp = { key: number; kind: (typeof objectKinds)[number]; n: number };

const objectOps = fc.array(
  fc.record({ key: fc.integer({ min: 0, max: 12 }), kind: fc.constantFrom(...objectKinds), n: fc.integer({ min: 1, max: 9 }) }),
  { maxLength: 60 },
);

function applyObject(backend: KeyedStateBackend, op: ObjectOp): void {
  backend.setCurrentKey(op.key);
  const counter = (): Counter => ({ n: op.n, tags: [`t${op.n}`] });
  switch (op.kind) {
    case "valueChange": {
      const state = backend.getState(objValue);
      const s = state.value();
      if (s === undefined) return state.update(counter());
      s.n += op.n;
      s.tags.push(`v${op.n}`);
      if (op.n % 2 === 0) state.update(s);
      return;
    }
    case "valueSet":
      return backend.getState(objValue).update(counter());
    case "listAdd":
      return backend.getState(objList).add(counter());
    case "listChange": {
      const first = backend.getState(objList).get()[0];
      if (first !== undefined) {
        first.n += op.n;
        first.tags.push(`l${op.n}`);
      }
      return;
    }
    case "listUpdate":
      return backend.getState(objList).update(op.n % 3 === 0 ? [] : [counter(), counter()]);
    case "mapPut":
      return backend.getState(objMap).put(`k${op.n % 3}`, counter());
    case "mapChange": {
      const state = backend.getState(objMap);
      const one = state.get(`k${op.n % 3}`);
      if (one !== undefined) one.n += op.n;
      for (const [, v] of state.entries()) v.tags.push(`m${op.n}`);
      return;
    }
    case "mapRemove":
      return backend.getState(objMap).remove(`k${op.n % 3}`);
    case "reducingAdd":
      return backend.getState(objReducing).add(counter());
    case "reducingChange":
      backend.getState(objReducing).get()?.tags.push(`r${op.n}`);
      return;
    case "aggregatingAdd":
      return backend.getState(objAggregating).add(op.n);
    case "aggregatingChange": {
      const acc = backend.getState(objAggregating).get();
      if (acc !== undefined) acc.n += op.n;
      return;
    }
    case "clear":
      for (const d of [objValue, objList, objMap, objReducing, objAggregating]) backend.getState(d).clear();
      return;
  }
}

// ---- flat number records (`{ count, sum }`) changed in place, under keys of every type ----

type Tally = Record<string, number>;

/** Holds records of several shapes, and at times a number, a string or a nested object instead. */
const tallyValue = new ValueStateDescriptor<Tally | number | string | Counter>("tallyValue");
const tallyList = new ListStateDescriptor<Tally>("tallyList");
const tallyReducing = new ReducingStateDescriptor<Tally>("tallyReducing", (acc, v) => {
  acc.count! += v.count!;
  acc.sum! += v.sum!;
  return acc;
});
/** -0 addresses the key 0; NaN, fractions, huge numbers and strings are keys too. */
const tallyOpKeys = [0, -0, 1, -3, 2.5, 1e300, 2 ** 40, Number.NaN, "a", "1"] as const;
const tallyKeys = tallyOpKeys.filter((key) => !Object.is(key, -0));

const tallyKinds = [
  "change", // s = value(); s.count += n; s.sum -= n; written back for even n only
  "changeTwice", // two in-place changes, each written back
  "reshape", // a field added in place: the record's shape changes
  "negativeZero", // s.sum = -0 in place, written back
  "set",
  "number",
  "string",
  "nested",
  "remove",
  "listAdd",
  "listChange", // get()[0].count += n, not written back
  "reducingAdd",
  "reducingChange", // get().sum += n on the accumulator itself
] as const;
type TallyOp = { key: number; kind: (typeof tallyKinds)[number]; n: number };

const tallyOps = fc.array(
  fc.record({ key: fc.integer({ min: 0, max: tallyOpKeys.length - 1 }), kind: fc.constantFrom(...tallyKinds), n: fc.integer({ min: 1, max: 9 }) }),
  { maxLength: 60 },
);

function applyTally(backend: KeyedStateBackend, op: TallyOp): void {
  backend.setCurrentKey(tallyOpKeys[op.key]);
  const state = backend.getState(tallyValue);
  const s = state.value();
  const record = typeof s === "object" && !Array.isArray((s as Counter).tags) ? (s as Tally) : undefined;
  switch (op.kind) {
    case "change":
      if (record === undefined) return state.update({ count: op.n, sum: -op.n });
      record.count = (record.count ?? 0) + op.n;
      record.sum = (record.sum ?? 0) - op.n;
      if (op.n % 2 === 0) state.update(record);
      return;
    case "changeTwice":
      if (record === undefined) return;
      record.count = (record.count ?? 0) + 1;
      state.update(record);
      record.count += op.n;
      return state.update(state.value() as Tally);
    case "reshape":
      if (record === undefined) return;
      record[`extra${op.n % 3}`] = op.n;
      return state.update(record);
    case "negativeZero":
      if (record === undefined) return;
      record.sum = -0;
      return state.update(record);
    case "set":
      return state.update({ count: op.n, sum: op.n / 4 });
    case "number":
      return state.update(op.n);
    case "string":
      return state.update(`s${op.n}`);
    case "nested":
      return state.update({ n: op.n, tags: [`t${op.n}`] });
    case "remove":
      return state.clear();
    case "listAdd":
      return backend.getState(tallyList).add({ count: op.n, sum: 0 });
    case "listChange": {
      const first = backend.getState(tallyList).get()[0];
      if (first !== undefined) first.count! += op.n;
      return;
    }
    case "reducingAdd":
      return backend.getState(tallyReducing).add({ count: 1, sum: op.n });
    case "reducingChange": {
      const acc = backend.getState(tallyReducing).get();
      if (acc !== undefined) acc.sum! += op.n;
      return;
    }
  }
}

/** Everything readable under tallyKeys, detached; -0 and NaN kept (deepEqual tells -0 from 0). */
function tallyContents(backend: KeyedStateBackend): unknown {
  const out: unknown[] = [];
  for (const key of tallyKeys) {
    backend.setCurrentKey(key);
    const row = [key, backend.getState(tallyValue).value(), backend.getState(tallyList).get(), backend.getState(tallyReducing).get()];
    if (row.slice(1).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0))) out.push(row);
  }
  return structuredClone(out);
}

/** Everything readable for keys 0..12 of the object states, as detached plain data. */
function objectContents(backend: KeyedStateBackend): unknown {
  const out: unknown[] = [];
  for (let key = 0; key <= 12; key++) {
    backend.setCurrentKey(key);
    const row = [
      key,
      backend.getState(objValue).value(),
      backend.getState(objList).get(),
      [...backend.getState(objMap).entries()].sort(),
      backend.getState(objReducing).get(),
      backend.getState(objAggregating).get(),
    ];
    if (row.slice(1).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0))) out.push(row);
  }
  return JSON.parse(JSON.stringify(out)) as unknown;
}

function restoredObjectContents(create: Factory, bytes: Uint8Array): unknown {
  const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
  restored.restore([bytes]);
  return objectContents(restored);
}

/** Runs the snapshot's write to the end, applying one of `ops` before each step (and the rest after). */
function writeWhile(snapshot: KeyedStateSnapshot, backend: KeyedStateBackend, ops: readonly ObjectOp[]): Uint8Array {
  const steps = snapshot.write();
  let i = 0;
  for (;;) {
    if (i < ops.length) applyObject(backend, ops[i++]!);
    const step = steps.next();
    if (step.done) {
      for (; i < ops.length; i++) applyObject(backend, ops[i]!);
      snapshot.release();
      return step.value;
    }
  }
}

/**
 * Three snapshots taken between runs of `ops` (the middle one perhaps released unwritten), written
 * step by step in an arbitrary order while more ops run: each restores to the contents it was
 * taken at, and the live state ends as it does in a backend that never took a snapshot.
 */
function assertSnapshotsIsolated<Op>(create: Factory, ops: fc.Arbitrary<Op[]>, apply: (backend: KeyedStateBackend, op: Op) => void, contents: (backend: KeyedStateBackend) => unknown): void {
  fc.assert(
    fc.property(ops, ops, ops, ops, fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 60 }), fc.boolean(), (first, second, third, after, order, abortMiddle) => {
      const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
      const plain = create({ keyGroupRange: FULL, maxParallelism: MAX });
      const both = (op: Op) => [backend, plain].forEach((b) => apply(b, op));
      const taken: { snapshot: KeyedStateSnapshot; expected: unknown; steps: Generator<void, Uint8Array, void> | undefined; bytes?: Uint8Array }[] = [];
      for (const run of [first, second, third]) {
        run.forEach(both);
        const expected = contents(backend);
        const snapshot = backend.snapshot();
        taken.push({ snapshot, expected, steps: undefined });
      }
      if (abortMiddle) taken[1]!.snapshot.release();
      const live = abortMiddle ? [taken[0]!, taken[2]!] : taken;
      let i = 0;
      let o = 0;
      while (live.some((t) => t.bytes === undefined)) {
        const pending = live.filter((t) => t.bytes === undefined);
        const t = pending[(order[o++ % Math.max(order.length, 1)] ?? 0) % pending.length]!;
        t.steps ??= t.snapshot.write();
        const step = t.steps.next();
        if (step.done) {
          t.bytes = step.value;
          t.snapshot.release();
        }
        if (i < after.length) both(after[i++]!);
      }
      for (; i < after.length; i++) both(after[i]!);
      for (const t of live) {
        const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
        restored.restore([t.bytes!]);
        assert.deepEqual(contents(restored), t.expected);
      }
      assert.deepEqual(contents(backend), contents(plain));
    }),
    { numRuns: 150 },
  );
}

/** Writes `snapshot` out to the end and releases it. */
export function writeAll(snapshot: KeyedStateSnapshot): Uint8Array {
  const steps = snapshot.write();
  for (;;) {
    const step = steps.next();
    if (step.done) {
      snapshot.release();
      return step.value;
    }
  }
}

/**
 * Writes the snapshot out while applying `ops`: half of them before anything is written, the rest
 * one between key groups (and any left over at the end); releases it and returns the bytes.
 */
function writeInterleaved<Op>(snapshot: KeyedStateSnapshot, ops: readonly Op[], apply: (op: Op) => void): Uint8Array {
  const steps = snapshot.write();
  let i = 0;
  for (; i < ops.length / 2; i++) apply(ops[i]!);
  let step = steps.next();
  while (!step.done) {
    if (i < ops.length) apply(ops[i++]!);
    step = steps.next();
  }
  for (; i < ops.length; i++) apply(ops[i]!);
  snapshot.release();
  return step.value;
}

/** Changes made while a snapshot is alive reach the live state exactly as they do without a snapshot. */
function assertLiveStateKeepsChanges<Op>(
  create: () => KeyedStateBackend,
  ops: fc.Arbitrary<Op[]>,
  apply: (backend: KeyedStateBackend, op: Op) => void,
  contents: (backend: KeyedStateBackend) => unknown,
): void {
  fc.assert(
    fc.property(ops, ops, (before, after) => {
      const withSnapshot = create();
      const plain = create();
      for (const op of before) [withSnapshot, plain].forEach((b) => apply(b, op));
      const snapshot = withSnapshot.snapshot();
      for (const op of after) [withSnapshot, plain].forEach((b) => apply(b, op));
      writeAll(snapshot);
      assert.deepEqual(contents(withSnapshot), contents(plain));
    }),
    { numRuns: 100 },
  );
}

export function keyedStateSnapshotConformance(name: string, create: Factory): void {
  namespacedSnapshotConformance(name, create);
  describe(`${name}: snapshots`, () => {
    it("values of every shape come back from a snapshot as stored, side by side in one key group", () => {
      const shared = { id: 1 };
      const values: unknown[] = [7, 2.5, "text", true, null, 12n, { n: 1, last: 2 }, [1, "a", null], { nested: { deep: [1, 2] } }, new Set([1, 2]), new Date(5), { first: shared, second: shared }];
      const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
      const state = backend.getState(new ValueStateDescriptor<unknown>("shapes"));
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
      const group = assignToKeyGroup(0, MAX);
      // Keys of one key group, so every shape lands in one section.
      const keys = Array.from({ length: 2000 }, (_, i) => i).filter((k) => assignToKeyGroup(k, MAX) === group).slice(0, values.length);
      assert.equal(keys.length, values.length);
      keys.forEach((key, i) => {
        backend.setCurrentKey(key);
        state.update(values[i]);
      });
      restored.restore([writeAll(backend.snapshot())]);
      const back = restored.getState(new ValueStateDescriptor<unknown>("shapes"));
      keys.forEach((key, i) => {
        restored.setCurrentKey(key);
        assert.deepEqual(back.value(), values[i], `value #${i}`);
      });
      restored.setCurrentKey(keys[values.length - 1]);
      const pair = back.value() as { first: object; second: object };
      assert.equal(pair.first, pair.second, "an object reached twice is one object");
    });

    it("a snapshot shows the state as it was when taken, whatever is written while it is written out", () => {
      fc.assert(
        fc.property(ops, ops, (before, after) => {
          const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
          for (const op of before) apply(backend, op);
          const expected = contents(backend);
          const bytes = writeInterleaved(backend.snapshot(), after, (op) => apply(backend, op));
          const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
          restored.restore([bytes]);
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
      assertLiveStateKeepsChanges(() => create({ keyGroupRange: FULL, maxParallelism: MAX }), ops, apply, contents);
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

    it("a snapshot restores into another max parallelism: each key, of any shape, lands in the range of its key group there, with all its states", () => {
      const keys: unknown[] = [...Array.from({ length: 30 }, (_, i) => i), "a", "b", "\u0001marked", 12n, -0.5, { user: 3, region: "eu" }, ["x", 2], new Date(7000), true, null];
      const source = create({ keyGroupRange: FULL, maxParallelism: MAX });
      keys.forEach((key, i) => {
        source.setCurrentKey(key);
        source.getState(value).update(i);
        source.getState(map).put("k", i);
      });
      const bytes = writeAll(source.snapshot());
      for (const maxParallelism of [MAX / 2, MAX * 2]) {
        const parts = [0, 1, 2].map((i) => {
          const keyGroupRange = keyGroupRangeForSubtask(i, 3, maxParallelism);
          const backend = create({ keyGroupRange, maxParallelism });
          backend.restore([bytes]);
          backend.getState(value);
          return { keyGroupRange, backend };
        });
        assert.equal(parts.reduce((n, p) => n + p.backend.numKeys("value"), 0), keys.length, `every key restored once at max parallelism ${maxParallelism}`);
        keys.forEach((key, i) => {
          const group = assignToKeyGroup(key, maxParallelism);
          const owner = parts.find((p) => group >= p.keyGroupRange.start && group <= p.keyGroupRange.end)!;
          owner.backend.setCurrentKey(key);
          assert.equal(owner.backend.getState(value).value(), i, `value of key #${i} at max parallelism ${maxParallelism}`);
          assert.deepEqual([...owner.backend.getState(map).entries()], [["k", i]]);
        });
      }
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

  describe(`${name}: snapshots and flat number records changed in place`, () => {
    it("records changed in place, once or twice, reshaped, replaced or removed under keys of every type leave each of several live snapshots as it was when taken", () => {
      assertSnapshotsIsolated(create, tallyOps, applyTally, tallyContents);
    });

    it("snapshot after snapshot, each written or aborted while records change, restores to the state it was taken at", () => {
      fc.assert(
        fc.property(fc.array(fc.record({ ops: tallyOps, abort: fc.boolean() }), { minLength: 2, maxLength: 5 }), (runs) => {
          const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
          const plain = create({ keyGroupRange: FULL, maxParallelism: MAX });
          const both = (op: TallyOp) => [backend, plain].forEach((b) => applyTally(b, op));
          for (const { ops, abort } of runs) {
            const expected = tallyContents(backend);
            const snapshot = backend.snapshot();
            if (abort) {
              ops.slice(0, ops.length / 2).forEach(both);
              snapshot.release();
              ops.slice(ops.length / 2).forEach(both);
              continue;
            }
            const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
            restored.restore([writeInterleaved(snapshot, ops, both)]);
            assert.deepEqual(tallyContents(restored), expected);
          }
          assert.deepEqual(tallyContents(backend), tallyContents(plain));
        }),
        { numRuns: 100 },
      );
    });

    it("a record changed in place twice on every key while a snapshot is written does not reach it, and -0 in it survives the snapshot", () => {
      const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
      for (let key = 0; key < tallyOpKeys.length; key++) applyTally(backend, { key, kind: "set", n: key + 1 });
      applyTally(backend, { key: 3, kind: "negativeZero", n: 1 });
      const expected = tallyContents(backend);
      const snapshot = backend.snapshot();
      const steps = snapshot.write();
      steps.next();
      for (let key = 0; key < tallyOpKeys.length; key++) applyTally(backend, { key, kind: "changeTwice", n: 5 });
      let step = steps.next();
      while (!step.done) step = steps.next();
      snapshot.release();
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
      restored.restore([step.value]);
      assert.deepEqual(tallyContents(restored), expected);
      restored.setCurrentKey(-3);
      assert.ok(Object.is((restored.getState(tallyValue).value() as Tally).sum, -0));
    });
  });

  describe(`${name}: snapshots and objects changed in place`, () => {
    const filled = () => {
      const backend = create({ keyGroupRange: FULL, maxParallelism: MAX });
      for (let key = 0; key <= 12; key++) {
        for (const kind of ["valueSet", "listAdd", "listAdd", "mapPut", "reducingAdd", "aggregatingAdd"] as const) applyObject(backend, { key, kind, n: key % 9 + 1 });
      }
      return backend;
    };

    it("a value object changed in place after snapshot(), written back or not, does not reach the snapshot", () => {
      const backend = filled();
      const expected = objectContents(backend);
      const snapshot = backend.snapshot();
      const ops: ObjectOp[] = [];
      for (let key = 0; key <= 12; key++) ops.push({ key, kind: "valueChange", n: 2 + (key % 2) });
      assert.deepEqual(restoredObjectContents(create, writeWhile(snapshot, backend, ops)), expected);
    });

    for (const kind of ["listChange", "listAdd", "mapChange", "mapPut", "mapRemove", "reducingChange", "reducingAdd", "aggregatingChange", "aggregatingAdd"] as const) {
      it(`${kind} on every key while a snapshot is written does not reach it, and stays in the live state`, () => {
        const backend = filled();
        const plain = filled();
        const expected = objectContents(backend);
        const snapshot = backend.snapshot();
        const ops: ObjectOp[] = [];
        for (let key = 0; key <= 12; key++) ops.push({ key, kind, n: 4 }, { key, kind, n: 5 });
        for (const op of ops) applyObject(plain, op);
        assert.deepEqual(restoredObjectContents(create, writeWhile(snapshot, backend, ops)), expected);
        assert.deepEqual(objectContents(backend), objectContents(plain));
      });
    }

    it("removals and re-inserts of a key while a snapshot is written do not reach it", () => {
      const backend = filled();
      const expected = objectContents(backend);
      const snapshot = backend.snapshot();
      const ops: ObjectOp[] = [];
      for (let key = 0; key <= 12; key++) ops.push({ key, kind: "clear", n: 1 }, { key, kind: "listAdd", n: 7 }, { key, kind: "mapPut", n: 7 }, { key, kind: "valueChange", n: 3 });
      assert.deepEqual(restoredObjectContents(create, writeWhile(snapshot, backend, ops)), expected);
    });

    it("any mix of changes to objects leaves each of several live snapshots as it was when taken, whatever order they are written or released in", () => {
      assertSnapshotsIsolated(create, objectOps, applyObject, objectContents);
    });

    it("state asked for only after a restore, while a snapshot is live, shares no object with that snapshot", () => {
      const source = filled();
      const original = objectContents(source);
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
      restored.restore([writeAll(source.snapshot())]);
      const snapshot = restored.snapshot();
      const ops: ObjectOp[] = [];
      for (let key = 0; key <= 12; key++) {
        for (const kind of ["listAdd", "listChange", "mapPut", "mapChange", "valueChange", "reducingChange", "aggregatingChange"] as const) ops.push({ key, kind, n: 6 });
      }
      assert.deepEqual(restoredObjectContents(create, writeWhile(snapshot, restored, ops)), original);
    });

    it("state asked for only after a restore shares no object with a snapshot taken before the restore's state was asked for, nor with the next one", () => {
      const source = filled();
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX });
      restored.restore([writeAll(source.snapshot())]);
      const first = restored.snapshot();
      applyObject(restored, { key: 3, kind: "listAdd", n: 1 });
      const afterAdd = objectContents(restored);
      const second = restored.snapshot();
      applyObject(restored, { key: 3, kind: "listChange", n: 1 });
      applyObject(restored, { key: 3, kind: "mapPut", n: 1 });
      assert.deepEqual(restoredObjectContents(create, writeAll(second)), afterAdd);
      assert.deepEqual(restoredObjectContents(create, writeAll(first)), objectContents(source));
    });
  });
}

const inRange = (key: number, range: KeyGroupRange) => {
  const group = assignToKeyGroup(key, MAX);
  return group >= range.start && group <= range.end;
};

/** Snapshots of namespaced state: as taken whatever is merged or changed in place meanwhile, restorable into any key-group range. */
function namespacedSnapshotConformance(name: string, create: Factory): void {
  const backend = () => create({ keyGroupRange: FULL, maxParallelism: MAX });

  describe(`${name}: snapshots of namespaced state`, () => {
    const list = new ListStateDescriptor<{ n: number }>("contents");
    const sum = new ReducingStateDescriptor<{ n: number }>("sum", (a, b) => {
      a.n += b.n;
      return a;
    });
    type Op = { key: number; ns: number; kind: "add" | "change" | "merge" | "clear"; n: number };
    const ops = fc.array(
      fc.record({
        key: fc.integer({ min: 0, max: 20 }),
        ns: fc.integer({ min: 0, max: 3 }),
        kind: fc.constantFrom("add", "change", "merge", "clear") as fc.Arbitrary<Op["kind"]>,
        n: fc.integer({ min: 1, max: 9 }),
      }),
      { maxLength: 50 },
    );
    const apply = (b: KeyedStateBackend, op: Op): void => {
      const l = b.getNamespacedState<number, { n: number }>(list);
      const s = b.getNamespacedState<number, { n: number }>(sum);
      b.setCurrentKey(op.key);
      l.setCurrentNamespace(op.ns);
      s.setCurrentNamespace(op.ns);
      switch (op.kind) {
        case "add":
          l.state.add({ n: op.n });
          s.state.add({ n: op.n });
          return;
        case "change": {
          const first = l.state.get()[0];
          if (first !== undefined) first.n += op.n;
          const total = s.state.get();
          if (total !== undefined) total.n *= 2;
          return;
        }
        case "merge":
          l.mergeNamespaces(op.ns, [(op.ns + 1) % 4, (op.ns + 2) % 4]);
          s.mergeNamespaces(op.ns, [(op.ns + 1) % 4]);
          return;
        case "clear":
          l.state.clear();
          s.state.clear();
          return;
      }
    };
    const contents = (b: KeyedStateBackend, range: KeyGroupRange = FULL): unknown[] => {
      const l = b.getNamespacedState<number, { n: number }>(list);
      const s = b.getNamespacedState<number, { n: number }>(sum);
      const out: unknown[] = [];
      for (let key = 0; key <= 20; key++) {
        if (!inRange(key, range)) continue;
        b.setCurrentKey(key);
        for (let ns = 0; ns < 4; ns++) {
          l.setCurrentNamespace(ns);
          s.setCurrentNamespace(ns);
          const elements = l.state.get();
          const total = s.state.get();
          if (elements.length > 0 || total !== undefined) out.push([key, ns, elements, total]);
        }
      }
      return JSON.parse(JSON.stringify(out)) as unknown[];
    };
    const restored = (bytes: Uint8Array, keyGroupRange: KeyGroupRange = FULL) => {
      const b = create({ keyGroupRange, maxParallelism: MAX });
      b.restore([bytes]);
      return b;
    };

    it("a snapshot shows namespaced state as it was when taken, whatever is added, changed in place, merged or cleared while it is written", () => {
      fc.assert(
        fc.property(ops, ops, (before, after) => {
          const b = backend();
          for (const op of before) apply(b, op);
          const expected = contents(b);
          const bytes = writeInterleaved(b.snapshot(), after, (op) => apply(b, op));
          assert.deepEqual(contents(restored(bytes)), expected);
        }),
        { numRuns: 150 },
      );
    });

    it("merging into a target while a snapshot is live changes neither the target nor the sources the snapshot shows", () => {
      const b = backend();
      for (const ns of [0, 1, 2]) apply(b, { key: 3, ns, kind: "add", n: ns + 1 });
      const expected = contents(b);
      const snapshot = b.snapshot();
      apply(b, { key: 3, ns: 0, kind: "merge", n: 1 });
      assert.deepEqual(contents(b), [
        [3, 0, [{ n: 1 }, { n: 2 }, { n: 3 }], { n: 3 }],
        [3, 2, [], { n: 3 }],
      ]);
      assert.deepEqual(contents(restored(writeAll(snapshot))), expected);
    });

    it("the live namespaced state keeps every change made while a snapshot was alive", () => {
      assertLiveStateKeepsChanges(backend, ops, apply, (b) => contents(b));
    });

    it("a snapshot of namespaced state restores into backends of other key-group ranges, each keeping the namespaces of its own keys", () => {
      const source = backend();
      for (let key = 0; key <= 20; key++) for (let ns = 0; ns < 3; ns++) apply(source, { key, ns, kind: "add", n: key + ns });
      const bytes = writeAll(source.snapshot());
      const parts = [0, 1, 2].map((i) => {
        const range = keyGroupRangeForSubtask(i, 3, MAX);
        return contents(restored(bytes, range), range);
      });
      assert.ok(parts.every((p) => p.length > 0 && p.length < 63), "each range holds some, not all, of the entries");
      assert.deepEqual(parts.flat().sort((x, y) => (x as number[])[0]! * 4 + (x as number[])[1]! - ((y as number[])[0]! * 4 + (y as number[])[1]!)), contents(source));
    });

    it("a snapshot of namespaced state restores into another max parallelism, each (key, namespace) entry with its key's new key group", () => {
      const source = backend();
      for (let key = 0; key <= 20; key++) for (let ns = 0; ns < 3; ns++) apply(source, { key, ns, kind: "add", n: key + ns });
      const bytes = writeAll(source.snapshot());
      const maxParallelism = MAX * 4;
      const parts = [0, 1].map((i) => {
        const keyGroupRange = keyGroupRangeForSubtask(i, 2, maxParallelism);
        const b = create({ keyGroupRange, maxParallelism });
        b.restore([bytes]);
        return { keyGroupRange, b };
      });
      const l = (b: KeyedStateBackend) => b.getNamespacedState<number, { n: number }>(list);
      for (let key = 0; key <= 20; key++) {
        const group = assignToKeyGroup(key, maxParallelism);
        const { b } = parts.find((p) => group >= p.keyGroupRange.start && group <= p.keyGroupRange.end)!;
        b.setCurrentKey(key);
        for (let ns = 0; ns < 3; ns++) {
          l(b).setCurrentNamespace(ns);
          assert.deepEqual(l(b).state.get(), [{ n: key + ns }], `key ${key} namespace ${ns}`);
        }
      }
    });

    it("restored namespaced state is namespaced again, and refused as plain state", () => {
      const source = backend();
      apply(source, { key: 1, ns: 2, kind: "add", n: 3 });
      const b = restored(writeAll(source.snapshot()));
      assert.throws(() => b.getState(list), (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_STATE_CONFLICT" && e.message.includes("contents"));
      const again = restored(writeAll(b.snapshot()));
      assert.deepEqual(contents(again), [[1, 2, [{ n: 3 }], { n: 3 }]]);
    });
  });
}
