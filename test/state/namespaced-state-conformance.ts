/**
 * The namespaced-state conformance suites every keyed state backend passes (called from
 * keyed-state-backend-conformance.ts and keyed-state-snapshot-conformance.ts respectively): values per (key,
 * namespace), namespaces compared by content, merging of list, reducing and aggregating state,
 * registration conflicts with plain state, and snapshots of namespaced entries that stay as they
 * were when taken (merges and in-place changes included), restore into any key-group range and
 * carry namespaces per key group.
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

/** A window-like namespace: compared by its fields. */
class Span {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

const isCode = (code: string, ...fragments: string[]) => (error: unknown) => {
  assert.ok(error instanceof WeirError, `expected a WeirError, got ${String(error)}`);
  assert.equal(error.code, code);
  for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${error.message} should mention ${fragment}`);
  return true;
};

type Acc = { sum: number; n: number };
const sumCount = {
  createAccumulator: (): Acc => ({ sum: 0, n: 0 }),
  add: (v: number, acc: Acc) => {
    acc.sum += v;
    acc.n++;
    return acc;
  },
  getResult: (acc: Acc) => `${acc.sum}/${acc.n}`,
};
const mergingSumCount = {
  ...sumCount,
  merge: (a: Acc, b: Acc) => {
    a.sum += b.sum;
    a.n += b.n;
    return a;
  },
};

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

const inRange = (key: number, range: KeyGroupRange) => {
  const group = assignToKeyGroup(key, MAX);
  return group >= range.start && group <= range.end;
};

export function namespacedStateConformance(name: string, create: Factory): void {
  const backend = () => create({ keyGroupRange: FULL, maxParallelism: MAX });

  describe(`${name}: namespaced state`, () => {
    it("a value written in one namespace is invisible in another namespace of the same key and under another key", () => {
      const b = backend();
      const count = b.getNamespacedState<Span, number>(new ValueStateDescriptor<number>("count"));
      b.setCurrentKey("alice");
      count.setCurrentNamespace(new Span(0, 10));
      count.state.update(1);
      count.setCurrentNamespace(new Span(10, 20));
      assert.equal(count.state.value(), undefined);
      count.state.update(2);
      b.setCurrentKey("bob");
      assert.equal(count.state.value(), undefined);
      b.setCurrentKey("alice");
      assert.equal(count.state.value(), 2);
      count.setCurrentNamespace(new Span(0, 10));
      assert.equal(count.state.value(), 1);
    });

    it("namespaces equal in content are one namespace; namespaces of different types are not", () => {
      const b = backend();
      const v = b.getNamespacedState<unknown, string>(new ValueStateDescriptor<string>("v"));
      b.setCurrentKey(1);
      v.setCurrentNamespace(new Span(0, 5));
      v.state.update("span");
      v.setCurrentNamespace({ end: 5, start: 0 });
      assert.equal(v.state.value(), "span");
      for (const [ns, text] of [[1, "number"], ["1", "string"], [1n, "bigint"], [null, "null"], [undefined, "undefined"], [Number.NaN, "nan"]] as const) {
        v.setCurrentNamespace(ns);
        assert.equal(v.state.value(), undefined, `namespace ${String(ns)} is new`);
        v.state.update(text);
      }
      for (const [ns, text] of [[1, "number"], ["1", "string"], [1n, "bigint"], [null, "null"], [undefined, "undefined"], [Number.NaN, "nan"]] as const) {
        v.setCurrentNamespace(ns);
        assert.equal(v.state.value(), text);
      }
    });

    it("every state kind keeps a value per namespace, and clearing one namespace leaves the others", () => {
      const b = backend();
      const list = b.getNamespacedState<number, number>(new ListStateDescriptor<number>("l"));
      const map = b.getNamespacedState<number, string, number>(new MapStateDescriptor<string, number>("m"));
      const reducing = b.getNamespacedState<number, number>(new ReducingStateDescriptor<number>("r", (x, y) => x + y));
      const aggregating = b.getNamespacedState<number, number, Acc, string>(new AggregatingStateDescriptor("a", sumCount));
      b.setCurrentKey("k");
      for (const ns of [1, 2]) {
        for (const s of [list, map, reducing, aggregating]) s.setCurrentNamespace(ns);
        list.state.add(ns);
        map.state.put("x", ns);
        reducing.state.add(ns);
        reducing.state.add(10);
        aggregating.state.add(ns);
      }
      for (const s of [list, map, reducing, aggregating]) {
        s.setCurrentNamespace(1);
        s.state.clear();
      }
      assert.deepEqual([list.state.get(), map.state.isEmpty(), reducing.state.get(), aggregating.state.get()], [[], true, undefined, undefined]);
      for (const s of [list, map, reducing, aggregating]) s.setCurrentNamespace(2);
      assert.deepEqual([list.state.get(), map.state.get("x"), reducing.state.get(), aggregating.state.get()], [[2], 2, 12, "2/1"]);
    });

    it("namespaced entries are counted and listed per (key, namespace), in the key's key group", () => {
      const b = backend();
      const v = b.getNamespacedState<number, number>(new ValueStateDescriptor<number>("v"));
      b.setCurrentKey("k");
      const group = b.getCurrentKeyGroup();
      for (const ns of [1, 2, 3]) {
        v.setCurrentNamespace(ns);
        v.state.update(ns * 10);
      }
      v.setCurrentNamespace(2);
      v.state.clear();
      assert.equal(b.numKeys("v"), 2);
      assert.deepEqual([...b.keyGroupEntries("v", group)].map(([, value]) => value).sort(), [10, 30]);
    });

    it("plain and namespaced state of other names do not see each other", () => {
      const b = backend();
      const plain = b.getState(new ValueStateDescriptor<number>("plain"));
      const spaced = b.getNamespacedState<number, number>(new ValueStateDescriptor<number>("spaced"));
      b.setCurrentKey(5);
      plain.update(1);
      spaced.setCurrentNamespace(0);
      spaced.state.update(2);
      assert.deepEqual([plain.value(), spaced.state.value()], [1, 2]);
      assert.deepEqual(b.stateNames(), ["plain", "spaced"]);
    });

    it("asking for one name again gives the same handle; asking for it with or without namespaces the other way is a conflict", () => {
      const b = backend();
      const d = new ListStateDescriptor<number>("window-contents");
      assert.equal(b.getNamespacedState(d), b.getNamespacedState(d));
      assert.throws(() => b.getState(d), isCode("WEIR_ERR_STATE_CONFLICT", "window-contents", "namespaced list"));
      assert.throws(() => b.getNamespacedState(new ValueStateDescriptor<number>("window-contents")), isCode("WEIR_ERR_STATE_CONFLICT", "window-contents"));
      b.getState(new ValueStateDescriptor<number>("plain"));
      assert.throws(() => b.getNamespacedState(new ValueStateDescriptor<number>("plain")), isCode("WEIR_ERR_STATE_CONFLICT", "plain"));
    });

    it("using a namespaced state before any namespace was set is an internal error naming the state", () => {
      const b = backend();
      const v = b.getNamespacedState<number, number>(new ValueStateDescriptor<number>("early"));
      b.setCurrentKey(1);
      assert.throws(() => v.state.update(1), isCode("WEIR_ERR_INTERNAL", "early"));
      assert.throws(() => v.getCurrentNamespace(), isCode("WEIR_ERR_INTERNAL", "early"));
    });
  });

  describe(`${name}: merging namespaces`, () => {
    it("list state: the target keeps its elements first, then each source's in the order given; the sources are emptied", () => {
      const b = backend();
      const l = b.getNamespacedState<string, number>(new ListStateDescriptor<number>("l"));
      b.setCurrentKey("k");
      for (const [ns, values] of [["t", [1]], ["a", [2, 3]], ["b", [4]]] as const) {
        l.setCurrentNamespace(ns);
        l.state.addAll(values);
      }
      l.setCurrentNamespace("elsewhere");
      l.mergeNamespaces("t", ["a", "empty", "b"]);
      assert.equal(l.getCurrentNamespace(), "elsewhere", "the current namespace is left as it was");
      l.setCurrentNamespace("t");
      assert.deepEqual(l.state.get(), [1, 2, 3, 4]);
      for (const ns of ["a", "b"]) {
        l.setCurrentNamespace(ns);
        assert.deepEqual(l.state.get(), []);
      }
      assert.equal(b.numKeys("l"), 1);
    });

    it("merging into a target without a value moves the sources' values there; a source equal to the target is skipped", () => {
      const b = backend();
      const l = b.getNamespacedState<Span, number>(new ListStateDescriptor<number>("l"));
      b.setCurrentKey("k");
      l.setCurrentNamespace(new Span(0, 5));
      l.state.add(1);
      l.mergeNamespaces(new Span(0, 9), [new Span(0, 5), new Span(0, 9)]);
      l.setCurrentNamespace(new Span(0, 9));
      assert.deepEqual(l.state.get(), [1]);
    });

    it("merging touches only the current key", () => {
      const b = backend();
      const l = b.getNamespacedState<number, string>(new ListStateDescriptor<string>("l"));
      for (const key of ["k", "other"]) {
        b.setCurrentKey(key);
        l.setCurrentNamespace(1);
        l.state.add(key);
      }
      b.setCurrentKey("k");
      l.mergeNamespaces(2, [1]);
      b.setCurrentKey("other");
      l.setCurrentNamespace(1);
      assert.deepEqual(l.state.get(), ["other"]);
    });

    it("reducing state folds the sources into the target with the reduce function", () => {
      const b = backend();
      const r = b.getNamespacedState<number, string>(new ReducingStateDescriptor<string>("r", (x, y) => `${x}+${y}`));
      b.setCurrentKey("k");
      for (const ns of [1, 2, 3]) {
        r.setCurrentNamespace(ns);
        r.state.add(`v${ns}`);
      }
      r.mergeNamespaces(1, [2, 3]);
      r.setCurrentNamespace(1);
      assert.equal(r.state.get(), "v1+v2+v3");
    });

    it("aggregating state combines accumulators with the aggregate function's merge", () => {
      const b = backend();
      const a = b.getNamespacedState<number, number, Acc, string>(new AggregatingStateDescriptor("a", mergingSumCount));
      b.setCurrentKey("k");
      for (const [ns, v] of [[1, 5], [2, 7], [2, 1]]) {
        a.setCurrentNamespace(ns!);
        a.state.add(v!);
      }
      a.mergeNamespaces(1, [2]);
      a.setCurrentNamespace(1);
      assert.equal(a.state.get(), "13/3");
    });

    it("aggregating state whose aggregate function has no merge refuses to merge, naming the state", () => {
      const b = backend();
      const a = b.getNamespacedState<number, number, Acc, string>(new AggregatingStateDescriptor("avg", sumCount));
      b.setCurrentKey("k");
      for (const ns of [1, 2]) {
        a.setCurrentNamespace(ns);
        a.state.add(ns);
      }
      assert.throws(() => a.mergeNamespaces(1, [2]), isCode("WEIR_ERR_INVALID_ARGUMENT", "avg", "merge"));
    });
  });

}

export function namespacedSnapshotConformance(name: string, create: Factory): void {
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
          const snapshot = b.snapshot();
          const steps = snapshot.write();
          let i = 0;
          for (; i < after.length / 2; i++) apply(b, after[i]!);
          let step = steps.next();
          while (!step.done) {
            if (i < after.length) apply(b, after[i++]!);
            step = steps.next();
          }
          for (; i < after.length; i++) apply(b, after[i]!);
          snapshot.release();
          assert.deepEqual(contents(restored(step.value)), expected);
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
      fc.assert(
        fc.property(ops, ops, (before, after) => {
          const withSnapshot = backend();
          const plain = backend();
          for (const op of before) [withSnapshot, plain].forEach((b) => apply(b, op));
          const snapshot = withSnapshot.snapshot();
          for (const op of after) [withSnapshot, plain].forEach((b) => apply(b, op));
          writeAll(snapshot);
          assert.deepEqual(contents(withSnapshot), contents(plain));
        }),
        { numRuns: 100 },
      );
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

    it("restored namespaced state is namespaced again, and refused as plain state", () => {
      const source = backend();
      apply(source, { key: 1, ns: 2, kind: "add", n: 3 });
      const b = restored(writeAll(source.snapshot()));
      assert.throws(() => b.getState(list), isCode("WEIR_ERR_STATE_CONFLICT", "contents"));
      const again = restored(writeAll(b.snapshot()));
      assert.deepEqual(contents(again), [[1, 2, [{ n: 3 }], { n: 3 }]]);
    });
  });
}
