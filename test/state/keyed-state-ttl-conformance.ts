/**
 * The TTL conformance suite every keyed state backend passes: what Flink documents for state
 * time-to-live, on an injected clock — per value expiry for every state kind (list elements and
 * map entries each on their own), the two update types and the two visibilities, snapshots that
 * leave expired values out, copy-on-write of TTL values under a live snapshot, and incremental
 * cleanup of keys nobody reads.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import type { KeyGroupRange } from "../../src/core/key-groups.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../../src/state/descriptors.ts";
import type { KeyedStateBackend } from "../../src/state/keyed-state-backend.ts";
import { StateTtlConfig, StateVisibility, UpdateType, type StateTtlConfigBuilder } from "../../src/state/ttl/state-ttl-config.ts";
import type { Clock } from "../../src/core/clock.ts";
import type { BackendTraits } from "./keyed-state-backend-conformance.ts";
import { writeAll } from "./keyed-state-snapshot-conformance.ts";

export type TtlBackendFactory = (options: { keyGroupRange: KeyGroupRange; maxParallelism: number; clock: Clock }) => KeyedStateBackend;

const MAX = 16;
const FULL = { start: 0, end: MAX - 1 };
const TTL = 100;

function withTtl<D extends { enableTimeToLive(c: StateTtlConfig): void }>(descriptor: D, configure: (b: StateTtlConfigBuilder) => StateTtlConfigBuilder = (b) => b): D {
  descriptor.enableTimeToLive(configure(StateTtlConfig.newBuilder(TTL)).build());
  return descriptor;
}


export function keyedStateTtlConformance(name: string, create: TtlBackendFactory, traits: BackendTraits): void {
  const setup = (start = 1_000) => {
    const clock = new ManualClock(start);
    return { clock, backend: create({ keyGroupRange: FULL, maxParallelism: MAX, clock }) };
  };

  describe(`${name}: state TTL, value state`, () => {
    it("a value is visible until its TTL has passed since it was written, and gone from then on", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<string>("v")));
      backend.setCurrentKey("a");
      state.update("x");
      clock.advance(TTL - 1);
      assert.equal(state.value(), "x");
      clock.advance(1);
      assert.equal(state.value(), undefined);
      assert.equal(backend.numKeys("v"), 0, "the expired value was removed by the read");
    });

    it("with OnCreateAndWrite a read does not extend the TTL, a write does", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<number>("v"), (b) => b.setUpdateType(UpdateType.OnCreateAndWrite)));
      backend.setCurrentKey(1);
      state.update(1);
      clock.advance(60);
      assert.equal(state.value(), 1);
      clock.advance(40);
      assert.equal(state.value(), undefined, "the read at 60 did not renew it");
      state.update(2);
      clock.advance(60);
      state.update(3);
      clock.advance(60);
      assert.equal(state.value(), 3, "the write at 60 renewed it");
    });

    it("with OnReadAndWrite every read extends the TTL", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<number>("v"), (b) => b.setUpdateType(UpdateType.OnReadAndWrite)));
      backend.setCurrentKey(1);
      state.update(1);
      for (let i = 0; i < 5; i++) {
        clock.advance(TTL - 1);
        assert.equal(state.value(), 1);
      }
      clock.advance(TTL);
      assert.equal(state.value(), undefined);
    });

    it("with ReturnExpiredIfNotCleanedUp the read that finds an expired value returns it and cleans it up", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<string>("v"), (b) => b.setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp)));
      backend.setCurrentKey(1);
      state.update("stale");
      clock.advance(TTL);
      assert.equal(state.value(), "stale");
      assert.equal(state.value(), undefined);
    });

    it("keys expire independently", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<string>("v")));
      backend.setCurrentKey("early");
      state.update("e");
      clock.advance(50);
      backend.setCurrentKey("late");
      state.update("l");
      clock.advance(50);
      assert.equal(state.value(), "l");
      backend.setCurrentKey("early");
      assert.equal(state.value(), undefined);
    });

    it(traits.storesEncoded ? "an object taken from TTL state and changed in place is the state's once written back" : "an object taken from TTL state may be changed in place, and the change is the state's", () => {
      const { backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<{ n: number }>("v")));
      backend.setCurrentKey(1);
      state.update({ n: 1 });
      state.value()!.n++;
      assert.deepEqual(state.value(), { n: traits.storesEncoded ? 1 : 2 });
      const taken = state.value()!;
      taken.n = 5;
      state.update(taken);
      assert.deepEqual(state.value(), { n: 5 });
    });
  });

  describe(`${name}: state TTL, list, map, reducing and aggregating state`, () => {
    it("list elements expire one by one, each TTL counted from when it was added", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ListStateDescriptor<string>("l")));
      backend.setCurrentKey(1);
      state.add("a");
      clock.advance(40);
      state.addAll(["b", "c"]);
      clock.advance(60);
      assert.deepEqual(state.get(), ["b", "c"]);
      clock.advance(40);
      assert.deepEqual(state.get(), []);
      assert.equal(backend.numKeys("l"), 0);
    });

    it("with OnReadAndWrite reading a list renews every element it returns", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ListStateDescriptor<number>("l"), (b) => b.updateTtlOnReadAndWrite()));
      backend.setCurrentKey(1);
      state.update([1, 2]);
      clock.advance(90);
      assert.deepEqual(state.get(), [1, 2]);
      clock.advance(90);
      assert.deepEqual(state.get(), [1, 2]);
    });

    it("with ReturnExpiredIfNotCleanedUp a list read returns expired elements once", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ListStateDescriptor<number>("l"), (b) => b.returnExpiredIfNotCleanedUp()));
      backend.setCurrentKey(1);
      state.add(1);
      clock.advance(50);
      state.add(2);
      clock.advance(50);
      assert.deepEqual(state.get(), [1, 2]);
      assert.deepEqual(state.get(), [2]);
    });

    it("map entries expire one by one, and no way of reading the map shows an expired one", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new MapStateDescriptor<string, number>("m")));
      backend.setCurrentKey(1);
      state.put("old", 1);
      clock.advance(50);
      state.putAll([["new", 2]]);
      clock.advance(50);
      assert.equal(state.get("old"), undefined);
      assert.equal(state.contains("old"), false);
      assert.deepEqual([...state.entries()], [["new", 2]]);
      assert.deepEqual([...state.keys()], ["new"]);
      assert.deepEqual([...state.values()], [2]);
      assert.equal(state.isEmpty(), false);
      clock.advance(50);
      assert.equal(state.isEmpty(), true);
      assert.equal(backend.numKeys("m"), 0);
    });

    it("with OnReadAndWrite a map get renews only the entry it reads", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new MapStateDescriptor<string, number>("m"), (b) => b.updateTtlOnReadAndWrite()));
      backend.setCurrentKey(1);
      state.put("read", 1);
      state.put("unread", 2);
      clock.advance(90);
      assert.equal(state.get("read"), 1);
      clock.advance(90);
      assert.deepEqual([...state.keys()], ["read"]);
    });

    it("a reducing state whose value expired folds again from the next value added", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ReducingStateDescriptor<number>("r", (a, b) => a + b)));
      backend.setCurrentKey(1);
      state.add(1);
      state.add(2);
      assert.equal(state.get(), 3);
      clock.advance(TTL);
      assert.equal(state.get(), undefined);
      state.add(5);
      clock.advance(TTL);
      state.add(7);
      assert.equal(state.get(), 7, "the expired 5 was not folded in");
    });

    it("an aggregating state whose accumulator expired starts from a new accumulator", () => {
      const { clock, backend } = setup();
      const state = backend.getState(
        withTtl(
          new AggregatingStateDescriptor<number, { sum: number; n: number }, string>("g", {
            createAccumulator: () => ({ sum: 0, n: 0 }),
            add: (v, acc) => {
              acc.sum += v;
              acc.n++;
              return acc;
            },
            getResult: (acc) => `${acc.sum}/${acc.n}`,
          }),
        ),
      );
      backend.setCurrentKey(1);
      state.add(4);
      state.add(6);
      assert.equal(state.get(), "10/2");
      clock.advance(TTL);
      state.add(1);
      assert.equal(state.get(), "1/1");
      clock.advance(TTL);
      assert.equal(state.get(), undefined);
    });
  });

  describe(`${name}: state TTL, snapshots and cleanup`, () => {
    it("a snapshot leaves out values expired when it is taken, and keeps their unexpired neighbours", () => {
      const { clock, backend } = setup();
      const value = backend.getState(withTtl(new ValueStateDescriptor<number>("v")));
      const list = backend.getState(withTtl(new ListStateDescriptor<number>("l")));
      const map = backend.getState(withTtl(new MapStateDescriptor<string, number>("m")));
      for (const key of [1, 2]) {
        backend.setCurrentKey(key);
        value.update(key);
        list.add(key);
        map.put("old", key);
      }
      clock.advance(50);
      backend.setCurrentKey(2);
      value.update(20);
      list.add(20);
      map.put("new", 20);
      clock.advance(50);
      const bytes = writeAll(backend.snapshot());

      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX, clock: new ManualClock(0) });
      restored.restore([bytes]);
      const value2 = restored.getState(withTtl(new ValueStateDescriptor<number>("v")));
      const list2 = restored.getState(withTtl(new ListStateDescriptor<number>("l")));
      const map2 = restored.getState(withTtl(new MapStateDescriptor<string, number>("m")));
      assert.equal(restored.numKeys("v"), 1);
      restored.setCurrentKey(1);
      assert.equal(value2.value(), undefined);
      assert.deepEqual(list2.get(), []);
      assert.equal(map2.isEmpty(), true);
      restored.setCurrentKey(2);
      assert.equal(value2.value(), 20);
      assert.deepEqual(list2.get(), [20]);
      assert.deepEqual([...map2.entries()], [["new", 20]]);
    });

    it("restored values keep their timestamps: they expire on schedule after a restore", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<number>("v")));
      backend.setCurrentKey(1);
      state.update(1);
      const bytes = writeAll(backend.snapshot());
      const later = new ManualClock(clock.now() + TTL - 1);
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX, clock: later });
      restored.restore([bytes]);
      const state2 = restored.getState(withTtl(new ValueStateDescriptor<number>("v")));
      restored.setCurrentKey(1);
      assert.equal(state2.value(), 1);
      later.advance(1);
      assert.equal(state2.value(), undefined);
    });

    it("a TTL value changed in place during a snapshot does not reach the snapshot", () => {
      const { backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<{ n: number }>("v"), (b) => b.updateTtlOnReadAndWrite()));
      backend.setCurrentKey(1);
      state.update({ n: 1 });
      const snapshot = backend.snapshot();
      state.value()!.n = 99;
      const bytes = writeAll(snapshot);
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX, clock: new ManualClock(1_000) });
      restored.restore([bytes]);
      restored.setCurrentKey(1);
      assert.deepEqual(restored.getState(withTtl(new ValueStateDescriptor<{ n: number }>("v"))).value(), { n: 1 });
      assert.deepEqual(state.value(), { n: traits.storesEncoded ? 1 : 99 });
    });

    it("incremental cleanup removes expired values of keys that are never read again", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<number>("v"), (b) => b.cleanupIncrementally(10)));
      for (let key = 0; key < 50; key++) {
        backend.setCurrentKey(key);
        state.update(key);
      }
      clock.advance(TTL);
      backend.setCurrentKey("reader");
      for (let i = 0; i < 10; i++) state.update(i);
      assert.equal(backend.numKeys("v"), 1, "only the key written after expiry is left");
      assert.equal(backend.getCurrentKey(), "reader", "cleanup leaves the current key as it was");
      assert.equal(state.value(), 9);
    });

    it("incremental cleanup during a snapshot leaves list elements and map entries unshared with it", () => {
      const { clock, backend } = setup();
      const list = backend.getState(withTtl(new ListStateDescriptor<{ n: number }>("l"), (b) => b.cleanupIncrementally(10)));
      const map = backend.getState(withTtl(new MapStateDescriptor<string, number>("m"), (b) => b.cleanupIncrementally(10)));
      backend.setCurrentKey(1);
      list.add({ n: 0 });
      map.put("old", 0);
      clock.advance(TTL - 1);
      list.add({ n: 1 });
      map.put("keep", 1);
      clock.advance(1);
      const snapshot = backend.snapshot();
      backend.setCurrentKey(2);
      list.add({ n: 2 });
      map.put("other", 2);
      backend.setCurrentKey(1);
      [...list.get()][0]!.n = 99;
      map.put("keep", 42);
      const restored = create({ keyGroupRange: FULL, maxParallelism: MAX, clock: new ManualClock(clock.now() - 1) });
      restored.restore([writeAll(snapshot)]);
      restored.setCurrentKey(1);
      assert.deepEqual([...restored.getState(withTtl(new ListStateDescriptor<{ n: number }>("l"))).get()], [{ n: 1 }]);
      assert.deepEqual([...restored.getState(withTtl(new MapStateDescriptor<string, number>("m"))).entries()], [["keep", 1]]);
    });

    it("without incremental cleanup, unread expired values stay stored (but invisible)", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<number>("v")));
      for (let key = 0; key < 5; key++) {
        backend.setCurrentKey(key);
        state.update(key);
      }
      clock.advance(TTL);
      backend.setCurrentKey("reader");
      for (let i = 0; i < 10; i++) state.update(i);
      assert.equal(backend.numKeys("v"), 6);
    });

    it("a TTL config whose update type is Disabled leaves the state without TTL", () => {
      const { clock, backend } = setup();
      const state = backend.getState(withTtl(new ValueStateDescriptor<number>("v"), (b) => b.setUpdateType(UpdateType.Disabled)));
      backend.setCurrentKey(1);
      state.update(1);
      clock.advance(TTL * 10);
      assert.equal(state.value(), 1);
    });
  });
}
