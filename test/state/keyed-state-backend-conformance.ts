/**
 * The conformance suite every keyed state backend passes: state kinds, key isolation, key-group
 * range checks, registration conflicts and per-key-group iteration, and namespaced state (values
 * per (key, namespace), namespaces compared by content, merging of namespaces). A backend's test file calls
 * `keyedStateBackendConformance` with a factory.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WeirError } from "../../src/core/errors.ts";
import { assignToKeyGroup, type KeyGroupRange, type NormalizedKey } from "../../src/core/key-groups.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type AggregateFunction,
} from "../../src/state/descriptors.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import { writeAll } from "./keyed-state-snapshot-conformance.ts";

export type BackendFactory = (options: { keyGroupRange: KeyGroupRange; maxParallelism: number }) => KeyedStateBackend;

/** What tells backends apart where the contract leaves a choice; each suite asserts the behaviour its backend promises. */
export interface BackendTraits {
  /**
   * Values are encoded when written and decoded anew on every read (the disk backend): an object
   * taken from state and changed in place is the state's only once written back, a user key or
   * value read back is an equal copy rather than the object put, and a value that cannot be
   * encoded is refused when written. False: reads hand out the state's own objects (the heap).
   */
  readonly storesEncoded: boolean;
}

const MAX_PARALLELISM = 128;
const FULL_RANGE = { start: 0, end: MAX_PARALLELISM - 1 };

/** The first `count` non-negative integers whose key group lies in `range`. */
function keysIn(range: KeyGroupRange, count: number, maxParallelism = MAX_PARALLELISM): number[] {
  const keys: number[] = [];
  for (let key = 0; keys.length < count; key++) {
    const group = assignToKeyGroup(key, maxParallelism);
    if (group >= range.start && group <= range.end) keys.push(key);
  }
  return keys;
}

function isWeirError(code: string, ...fragments: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof WeirError, `expected a WeirError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const fragment of fragments) assert.match(error.message, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    return true;
  };
}

const average: AggregateFunction<number, { sum: number; count: number }, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (value, accumulator) => {
    accumulator.sum += value;
    accumulator.count += 1;
    return accumulator;
  },
  getResult: (accumulator) => accumulator.sum / accumulator.count,
};

export function keyedStateBackendConformance(name: string, create: BackendFactory, traits: BackendTraits): void {
  namespacedStateConformance(name, create);
  const fullBackend = () => create({ keyGroupRange: FULL_RANGE, maxParallelism: MAX_PARALLELISM });

  describe(`${name}: value state`, () => {
    it("a value written under one key is invisible under another", () => {
      const backend = fullBackend();
      const count = backend.getState(new ValueStateDescriptor<number>("count"));
      backend.setCurrentKey("alice");
      count.update(3);
      backend.setCurrentKey("bob");
      assert.equal(count.value(), undefined);
      count.update(7);
      backend.setCurrentKey("alice");
      assert.equal(count.value(), 3);
    });

    it("a key that was never written reads undefined", () => {
      const backend = fullBackend();
      backend.setCurrentKey(1);
      assert.equal(backend.getState(new ValueStateDescriptor<string>("v")).value(), undefined);
    });

    it("clearing removes the key's entry", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<string>("v"));
      backend.setCurrentKey(1);
      v.update("x");
      assert.equal(backend.numKeys("v"), 1);
      v.clear();
      assert.equal(v.value(), undefined);
      assert.equal(backend.numKeys("v"), 0);
    });

    it("updating with undefined clears the value", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<string | undefined>("v"));
      backend.setCurrentKey(1);
      v.update("x");
      v.update(undefined);
      assert.equal(v.value(), undefined);
      assert.equal(backend.numKeys("v"), 0);
    });

    it("falsy values are kept as values", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<unknown>("v"));
      for (const [key, value] of [[1, 0], [2, ""], [3, false], [4, null]] as const) {
        backend.setCurrentKey(key);
        v.update(value);
      }
      for (const [key, value] of [[1, 0], [2, ""], [3, false], [4, null]] as const) {
        backend.setCurrentKey(key);
        assert.equal(v.value(), value);
      }
      assert.equal(backend.numKeys("v"), 4);
    });

    it("writing state before any current key is set is an internal error", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<number>("v"));
      assert.equal(v.value(), undefined);
      assert.throws(() => v.update(1), isWeirError("WEIR_ERR_INTERNAL", "current key"));
    });
  });

  describe(`${name}: list state`, () => {
    it("a key with no elements reads an empty list", () => {
      const backend = fullBackend();
      backend.setCurrentKey("k");
      assert.deepEqual(backend.getState(new ListStateDescriptor<number>("l")).get(), []);
    });

    it("elements come back oldest first", () => {
      const backend = fullBackend();
      const list = backend.getState(new ListStateDescriptor<number>("l"));
      backend.setCurrentKey("k");
      list.add(1);
      list.addAll([2, 3]);
      list.add(4);
      assert.deepEqual(list.get(), [1, 2, 3, 4]);
    });

    it("elements added under one key are invisible under another", () => {
      const backend = fullBackend();
      const list = backend.getState(new ListStateDescriptor<string>("l"));
      backend.setCurrentKey("a");
      list.add("x");
      backend.setCurrentKey("b");
      list.addAll(["y", "z"]);
      assert.deepEqual(list.get(), ["y", "z"]);
      backend.setCurrentKey("a");
      assert.deepEqual(list.get(), ["x"]);
    });

    it("update replaces all elements", () => {
      const backend = fullBackend();
      const list = backend.getState(new ListStateDescriptor<number>("l"));
      backend.setCurrentKey("k");
      list.addAll([1, 2]);
      list.update(new Set([5, 6, 7]));
      assert.deepEqual(list.get(), [5, 6, 7]);
    });

    it("updating with no elements, and clearing, leave no entry", () => {
      const backend = fullBackend();
      const list = backend.getState(new ListStateDescriptor<number>("l"));
      backend.setCurrentKey("a");
      list.add(1);
      list.update([]);
      backend.setCurrentKey("b");
      list.add(1);
      list.clear();
      assert.deepEqual(list.get(), []);
      assert.equal(backend.numKeys("l"), 0);
    });

    it("adding no elements to an empty key creates no entry", () => {
      const backend = fullBackend();
      const list = backend.getState(new ListStateDescriptor<number>("l"));
      backend.setCurrentKey("a");
      list.addAll([]);
      assert.equal(backend.numKeys("l"), 0);
    });

    it("a list read earlier does not change when elements are added later", () => {
      const backend = fullBackend();
      const list = backend.getState(new ListStateDescriptor<number>("l"));
      backend.setCurrentKey("a");
      list.add(1);
      const before = list.get();
      list.add(2);
      assert.deepEqual(before, [1]);
    });
  });

  describe(`${name}: map state`, () => {
    it("mappings of one key are invisible under another", () => {
      const backend = fullBackend();
      const map = backend.getState(new MapStateDescriptor<string, number>("m"));
      backend.setCurrentKey(1);
      map.put("x", 1);
      backend.setCurrentKey(2);
      assert.equal(map.get("x"), undefined);
      assert.equal(map.contains("x"), false);
      assert.equal(map.isEmpty(), true);
      backend.setCurrentKey(1);
      assert.equal(map.get("x"), 1);
    });

    it("put overwrites, remove deletes, and contains reports presence", () => {
      const backend = fullBackend();
      const map = backend.getState(new MapStateDescriptor<string, number | null>("m"));
      backend.setCurrentKey(1);
      map.put("x", 1);
      map.put("x", 2);
      map.put("y", null);
      assert.equal(map.get("x"), 2);
      assert.equal(map.contains("y"), true);
      map.remove("x");
      map.remove("absent");
      assert.equal(map.contains("x"), false);
      assert.deepEqual([...map.entries()], [["y", null]]);
    });

    it("user keys compare by content, and iteration gives back the key first put", () => {
      const backend = fullBackend();
      const map = backend.getState(new MapStateDescriptor<object, string>("m"));
      backend.setCurrentKey(1);
      const first = { a: 1, b: [2, 3] };
      map.put(first, "one");
      map.put({ b: [2, 3], a: 1 }, "two");
      assert.equal(map.get({ b: [2, 3], a: 1 }), "two");
      assert.equal([...map.keys()].length, 1);
      if (traits.storesEncoded) assert.notEqual([...map.keys()][0], first);
      else assert.equal([...map.keys()][0], first);
      assert.deepEqual([...map.keys()][0], first);
      assert.deepEqual([...map.entries()], [[first, "two"]]);
    });

    it("user keys 1 and \"1\" are different keys", () => {
      const backend = fullBackend();
      const map = backend.getState(new MapStateDescriptor<number | string, string>("m"));
      backend.setCurrentKey(1);
      map.put(1, "number");
      map.put("1", "string");
      assert.equal(map.get(1), "number");
      assert.equal(map.get("1"), "string");
    });

    it("putAll adds every pair, and keys, values and entries iterate in insertion order", () => {
      const backend = fullBackend();
      const map = backend.getState(new MapStateDescriptor<string, number>("m"));
      backend.setCurrentKey(1);
      map.putAll([["a", 1], ["b", 2], ["c", 3]]);
      assert.deepEqual([...map.keys()], ["a", "b", "c"]);
      assert.deepEqual([...map.values()], [1, 2, 3]);
      assert.deepEqual([...map.entries()], [["a", 1], ["b", 2], ["c", 3]]);
    });

    it("removing the last user key, or clearing, removes the key's entry", () => {
      const backend = fullBackend();
      const map = backend.getState(new MapStateDescriptor<string, number>("m"));
      backend.setCurrentKey(1);
      map.put("a", 1);
      map.remove("a");
      assert.equal(map.isEmpty(), true);
      assert.equal(backend.numKeys("m"), 0);
      map.putAll([["a", 1], ["b", 2]]);
      map.clear();
      assert.equal(map.isEmpty(), true);
      assert.deepEqual([...map.entries()], []);
      assert.equal(backend.numKeys("m"), 0);
    });
  });

  describe(`${name}: reducing state`, () => {
    it("folds every added value with the reduce function", () => {
      const backend = fullBackend();
      const max = backend.getState(new ReducingStateDescriptor<number>("max", (a, b) => Math.max(a, b)));
      backend.setCurrentKey("k");
      for (const value of [3, 9, 4]) max.add(value);
      assert.equal(max.get(), 9);
    });

    it("the first added value is kept without calling reduce", () => {
      const backend = fullBackend();
      let calls = 0;
      const sum = backend.getState(
        new ReducingStateDescriptor<number>("sum", (a, b) => {
          calls++;
          return a + b;
        }),
      );
      backend.setCurrentKey("k");
      sum.add(5);
      assert.equal(calls, 0);
      sum.add(6);
      assert.equal(sum.get(), 11);
      assert.equal(calls, 1);
    });

    it("keys reduce independently, and clear starts a key over", () => {
      const backend = fullBackend();
      const sum = backend.getState(new ReducingStateDescriptor<number>("sum", (a, b) => a + b));
      backend.setCurrentKey("a");
      sum.add(1);
      sum.add(2);
      backend.setCurrentKey("b");
      assert.equal(sum.get(), undefined);
      sum.add(10);
      backend.setCurrentKey("a");
      assert.equal(sum.get(), 3);
      sum.clear();
      assert.equal(sum.get(), undefined);
      assert.equal(backend.numKeys("sum"), 1);
      sum.add(4);
      assert.equal(sum.get(), 4);
    });
  });

  describe(`${name}: aggregating state`, () => {
    it("get returns the result of the accumulator grown by every add", () => {
      const backend = fullBackend();
      const avg = backend.getState(new AggregatingStateDescriptor("avg", average));
      backend.setCurrentKey("k");
      avg.add(2);
      avg.add(4);
      avg.add(9);
      assert.equal(avg.get(), 5);
    });

    it("each key grows its own accumulator", () => {
      const backend = fullBackend();
      const avg = backend.getState(new AggregatingStateDescriptor("avg", average));
      backend.setCurrentKey("a");
      avg.add(1);
      backend.setCurrentKey("b");
      avg.add(100);
      avg.add(200);
      backend.setCurrentKey("a");
      avg.add(3);
      assert.equal(avg.get(), 2);
      backend.setCurrentKey("b");
      assert.equal(avg.get(), 150);
    });

    it("reads undefined before the first add and after clear", () => {
      const backend = fullBackend();
      const avg = backend.getState(new AggregatingStateDescriptor("avg", average));
      backend.setCurrentKey("k");
      assert.equal(avg.get(), undefined);
      avg.add(1);
      avg.clear();
      assert.equal(avg.get(), undefined);
      assert.equal(backend.numKeys("avg"), 0);
    });
  });

  describe(`${name}: current key`, () => {
    it("getCurrentKey returns the key as given, and getCurrentKeyGroup its key group", () => {
      const backend = fullBackend();
      const key = { user: "u1", region: "eu" };
      backend.setCurrentKey(key);
      assert.equal(backend.getCurrentKey(), key);
      assert.equal(backend.getCurrentKeyGroup(), assignToKeyGroup(key, MAX_PARALLELISM));
    });

    it("composite keys with equal content share state", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<number>("v"));
      backend.setCurrentKey({ a: 1, b: "x" });
      v.update(42);
      backend.setCurrentKey({ b: "x", a: 1 });
      assert.equal(v.value(), 42);
      backend.setCurrentKey(["x", 1]);
      assert.equal(v.value(), undefined);
    });

    it("the number 1 and the string \"1\" are different keys", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<string>("v"));
      backend.setCurrentKey(1);
      v.update("number");
      backend.setCurrentKey("1");
      assert.equal(v.value(), undefined);
    });

    it("a key whose key group is outside the range is an internal error naming the group and the range", () => {
      const range = { start: 0, end: 63 };
      const backend = create({ keyGroupRange: range, maxParallelism: MAX_PARALLELISM });
      const [outside] = keysIn({ start: 64, end: 127 }, 1);
      const group = assignToKeyGroup(outside, MAX_PARALLELISM);
      assert.throws(() => backend.setCurrentKey(outside), isWeirError("WEIR_ERR_INTERNAL", `key group ${group}`, "0..63"));
      for (const key of keysIn(range, 50)) backend.setCurrentKey(key);
    });

    it("asking for the current key before any was set is an internal error", () => {
      const backend = fullBackend();
      assert.throws(() => backend.getCurrentKey(), isWeirError("WEIR_ERR_INTERNAL"));
      assert.throws(() => backend.getCurrentKeyGroup(), isWeirError("WEIR_ERR_INTERNAL"));
    });

    it("a refused key leaves the previous current key in place", () => {
      const backend = create({ keyGroupRange: { start: 0, end: 63 }, maxParallelism: MAX_PARALLELISM });
      const [inside] = keysIn({ start: 0, end: 63 }, 1);
      const [outside] = keysIn({ start: 64, end: 127 }, 1);
      backend.setCurrentKey(inside);
      assert.throws(() => backend.setCurrentKey(outside));
      assert.equal(backend.getCurrentKey(), inside);
    });
  });

  describe(`${name}: registration`, () => {
    it("a range outside the key groups, or an invalid max parallelism, is an invalid argument", () => {
      for (const options of [
        { keyGroupRange: { start: 0, end: 128 }, maxParallelism: 128 },
        { keyGroupRange: { start: 5, end: 4 }, maxParallelism: 128 },
        { keyGroupRange: { start: -1, end: 4 }, maxParallelism: 128 },
        { keyGroupRange: { start: 0, end: 0 }, maxParallelism: 0 },
      ]) {
        assert.throws(() => create(options), isWeirError("WEIR_ERR_INVALID_ARGUMENT"));
      }
    });

    it("the same name returns the same state", () => {
      const backend = fullBackend();
      const first = backend.getState(new ValueStateDescriptor<number>("v"));
      const second = backend.getState(new ValueStateDescriptor<number>("v"));
      backend.setCurrentKey(1);
      first.update(5);
      assert.equal(second.value(), 5);
    });

    it("one name requested as two kinds is a state conflict naming both kinds", () => {
      const backend = fullBackend();
      backend.getState(new ValueStateDescriptor<number>("s"));
      assert.throws(() => backend.getState(new ListStateDescriptor<number>("s")), isWeirError("WEIR_ERR_STATE_CONFLICT", "'s'", "value", "list"));
      assert.throws(() => backend.getState(new ReducingStateDescriptor<number>("s", (a, b) => a + b)), isWeirError("WEIR_ERR_STATE_CONFLICT"));
    });

    it("stateNames lists the states in registration order, with their kinds", () => {
      const backend = fullBackend();
      backend.getState(new MapStateDescriptor<string, number>("m"));
      backend.getState(new ValueStateDescriptor<number>("v"));
      backend.getState(new AggregatingStateDescriptor("a", average));
      backend.getState(new ValueStateDescriptor<number>("v"));
      assert.deepEqual(backend.stateNames(), ["m", "v", "a"]);
      assert.deepEqual(backend.stateNames().map((n) => backend.stateKind(n)), ["map", "value", "aggregating"]);
      assert.equal(backend.stateKind("unknown"), undefined);
    });
  });

  describe(`${name}: iteration per key group`, () => {
    it("each key group yields exactly its own keys, with their values", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<number>("v"));
      for (let key = 0; key < 1_000; key++) {
        backend.setCurrentKey(key);
        v.update(key * 2);
      }
      const seen = new Set<NormalizedKey>();
      for (let group = 0; group < MAX_PARALLELISM; group++) {
        for (const [key, value] of backend.keyGroupEntries("v", group)) {
          assert.equal(assignToKeyGroup(key, MAX_PARALLELISM), group);
          assert.equal(value, (key as number) * 2);
          assert.ok(!seen.has(key));
          seen.add(key);
        }
      }
      assert.equal(seen.size, 1_000);
      assert.equal(backend.numKeys("v"), 1_000);
    });

    it("a backend with part of the key groups iterates only its own groups", () => {
      const range = { start: 32, end: 47 };
      const backend = create({ keyGroupRange: range, maxParallelism: MAX_PARALLELISM });
      const list = backend.getState(new ListStateDescriptor<string>("l"));
      const keys = keysIn(range, 200);
      for (const key of keys) {
        backend.setCurrentKey(key);
        list.add(`k${key}`);
      }
      let total = 0;
      for (let group = range.start; group <= range.end; group++) total += [...backend.keyGroupEntries("l", group)].length;
      assert.equal(total, keys.length);
      assert.throws(() => backend.keyGroupEntries("l", 31), isWeirError("WEIR_ERR_INTERNAL", "31", "32..47"));
      assert.throws(() => backend.keyGroupEntries("l", 48), isWeirError("WEIR_ERR_INTERNAL"));
    });

    it("cleared keys are neither counted nor iterated", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<string>("v"));
      for (const key of ["a", "b", "c"]) {
        backend.setCurrentKey(key);
        v.update(key);
      }
      backend.setCurrentKey("b");
      v.clear();
      assert.equal(backend.numKeys("v"), 2);
      const group = assignToKeyGroup("b", MAX_PARALLELISM);
      assert.ok(![...backend.keyGroupEntries("v", group)].some(([key]) => key === "b"));
    });

    it("states are counted separately", () => {
      const backend = fullBackend();
      const v = backend.getState(new ValueStateDescriptor<number>("v"));
      const l = backend.getState(new ListStateDescriptor<number>("l"));
      backend.setCurrentKey(1);
      v.update(1);
      l.add(1);
      backend.setCurrentKey(2);
      v.update(2);
      assert.equal(backend.numKeys("v"), 2);
      assert.equal(backend.numKeys("l"), 1);
    });

    it("an unknown state name is an internal error", () => {
      const backend = fullBackend();
      assert.throws(() => backend.numKeys("nope"), isWeirError("WEIR_ERR_INTERNAL", "nope"));
      assert.throws(() => backend.keyGroupEntries("nope", 0), isWeirError("WEIR_ERR_INTERNAL", "nope"));
    });
  });
}

/** A window-like namespace: compared by its fields. */
class Span {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

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

/** Namespaced state (for internal operators such as windows): values per (key, namespace), merging, conflicts with plain state. */
function namespacedStateConformance(name: string, create: BackendFactory): void {
  const backend = () => create({ keyGroupRange: FULL_RANGE, maxParallelism: MAX_PARALLELISM });

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

    it("the current key's values by namespace are listed for reading, and only that key's", () => {
      const b = backend();
      const v = b.getNamespacedState<number, number>(new ValueStateDescriptor<number>("v"));
      b.setCurrentKey("k");
      assert.equal(v.namespacesOfCurrentKey(), undefined);
      for (const ns of [30, 10, 20]) {
        v.setCurrentNamespace(ns);
        v.state.update(ns + 1);
      }
      b.setCurrentKey("other");
      v.setCurrentNamespace(10);
      v.state.update(0);
      b.setCurrentKey("k");
      assert.deepEqual([...v.namespacesOfCurrentKey()!].sort(([a], [b]) => (a as number) - (b as number)), [[10, 11], [20, 21], [30, 31]]);
      for (const ns of [10, 20, 30]) {
        v.setCurrentNamespace(ns);
        v.state.clear();
      }
      assert.equal(v.namespacesOfCurrentKey(), undefined);
    });

    it("the states holding entries are named, whether asked for or only restored", () => {
      const b = backend();
      const v = b.getNamespacedState<number, number>(new ValueStateDescriptor<number>("spaced"));
      const plain = b.getState(new ValueStateDescriptor<number>("plain"));
      b.getState(new ValueStateDescriptor<number>("empty"));
      b.setCurrentKey(1);
      v.setCurrentNamespace(0);
      v.state.update(1);
      plain.update(2);
      assert.deepEqual(b.stateNamesWithEntries().sort(), ["plain", "spaced"]);
      const restored = backend();
      restored.restore([writeAll(b.snapshot())]);
      assert.deepEqual(restored.stateNames(), []);
      assert.deepEqual(restored.stateNamesWithEntries().sort(), ["plain", "spaced"]);
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
      assert.throws(() => b.getState(d), isWeirError("WEIR_ERR_STATE_CONFLICT", "window-contents", "namespaced list"));
      assert.throws(() => b.getNamespacedState(new ValueStateDescriptor<number>("window-contents")), isWeirError("WEIR_ERR_STATE_CONFLICT", "window-contents"));
      b.getState(new ValueStateDescriptor<number>("plain"));
      assert.throws(() => b.getNamespacedState(new ValueStateDescriptor<number>("plain")), isWeirError("WEIR_ERR_STATE_CONFLICT", "plain"));
    });

    it("using a namespaced state before any namespace was set is an internal error naming the state", () => {
      const b = backend();
      const v = b.getNamespacedState<number, number>(new ValueStateDescriptor<number>("early"));
      b.setCurrentKey(1);
      assert.throws(() => v.state.update(1), isWeirError("WEIR_ERR_INTERNAL", "early"));
      assert.throws(() => v.getCurrentNamespace(), isWeirError("WEIR_ERR_INTERNAL", "early"));
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
      assert.throws(() => a.mergeNamespaces(1, [2]), isWeirError("WEIR_ERR_INVALID_ARGUMENT", "avg", "merge"));
      for (const [ns, result] of [[1, "1/1"], [2, "2/1"]] as const) {
        a.setCurrentNamespace(ns);
        assert.equal(a.state.get(), result, "the refused merge changed nothing");
      }
    });
  });

}
