import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WeirError } from "../../../src/core/errors.ts";
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { DefaultOperatorStateStore } from "../../../src/state/operator/operator-state-store.ts";

const isCode = (code: string, ...fragments: string[]) => (e: unknown) =>
  e instanceof WeirError && e.code === code && fragments.every((f) => e.message.includes(f));

describe("DefaultOperatorStateStore", () => {
  it("list state keeps its elements in order, and get() is a copy", () => {
    const store = new DefaultOperatorStateStore();
    const list = store.getListState(new ListStateDescriptor<number>("l"));
    list.add(1);
    list.addAll([2, 3]);
    (list.get() as number[]).push(99);
    assert.deepEqual(list.get(), [1, 2, 3]);
    list.update([7]);
    assert.deepEqual(list.get(), [7]);
    list.clear();
    assert.deepEqual(list.get(), []);
  });

  it("one name gives the same state, and the snapshot names each list with its distribution", () => {
    const store = new DefaultOperatorStateStore();
    store.getListState(new ListStateDescriptor<number>("s")).add(1);
    store.getUnionListState(new ListStateDescriptor<number>("u")).add(2);
    assert.equal(store.getListState(new ListStateDescriptor<number>("s")).get()[0], 1);
    store.getBroadcastState(new MapStateDescriptor<string, number>("b")).put("k", 3);
    assert.deepEqual(store.snapshot(), { lists: [["s", "split", [1]], ["u", "union", [2]]], broadcast: [["b", [["k", 3]]]] });
    assert.deepEqual(store.getRegisteredStateNames(), new Set(["s", "u"]));
    assert.deepEqual(store.getRegisteredBroadcastStateNames(), new Set(["b"]));
  });

  it("a store with no state snapshots to nothing", () => {
    assert.equal(new DefaultOperatorStateStore().snapshot(), undefined);
  });

  it("restored state is a copy: changing it leaves the snapshot it came from alone", () => {
    const restored = { lists: [["s", "split", [{ n: 1 }]] as const], broadcast: [["b", [["k", { n: 2 }]]] as const] };
    const store = new DefaultOperatorStateStore(restored);
    (store.getListState(new ListStateDescriptor<{ n: number }>("s")).get()[0]!).n = 10;
    store.getBroadcastState(new MapStateDescriptor<string, { n: number }>("b")).get("k")!.n = 20;
    assert.deepEqual(restored.lists[0]![2], [{ n: 1 }]);
    assert.deepEqual(restored.broadcast[0]![1], [["k", { n: 2 }]]);
    assert.deepEqual(store.snapshot()!.lists, [["s", "split", [{ n: 10 }]]]);
  });

  it("state restored but not asked for again stays in the next snapshot", () => {
    const store = new DefaultOperatorStateStore({ lists: [["old", "union", [1]]], broadcast: [] });
    assert.deepEqual(store.snapshot()!.lists, [["old", "union", [1]]]);
  });

  it("asking for one name as split and union list, or as list and broadcast state, is a conflict", () => {
    const store = new DefaultOperatorStateStore();
    store.getListState(new ListStateDescriptor("x"));
    assert.throws(() => store.getUnionListState(new ListStateDescriptor("x")), isCode("WEIR_ERR_STATE_CONFLICT", "'x'", "union"));
    assert.throws(() => store.getBroadcastState(new MapStateDescriptor("x")), isCode("WEIR_ERR_STATE_CONFLICT", "'x'", "broadcast"));
    const restored = new DefaultOperatorStateStore({ lists: [["r", "union", []]], broadcast: [] });
    assert.throws(() => restored.getListState(new ListStateDescriptor("r")), isCode("WEIR_ERR_STATE_CONFLICT", "'r'"));
  });

  it("a descriptor of the wrong kind is refused, naming what was given and what is needed", () => {
    const store = new DefaultOperatorStateStore();
    const value = new ValueStateDescriptor<number>("v") as unknown as ListStateDescriptor<number>;
    assert.throws(() => store.getListState(value), isCode("WEIR_ERR_STATE_DESCRIPTOR_KIND", "getListState", "ListStateDescriptor", "value state descriptor ('v')"));
    assert.throws(() => store.getUnionListState(value), isCode("WEIR_ERR_STATE_DESCRIPTOR_KIND", "getUnionListState"));
    assert.throws(() => store.getBroadcastState(new ListStateDescriptor("l") as unknown as MapStateDescriptor<string, number>), isCode("WEIR_ERR_STATE_DESCRIPTOR_KIND", "MapStateDescriptor"));
    assert.throws(() => store.getListState(undefined as unknown as ListStateDescriptor<number>), isCode("WEIR_ERR_STATE_DESCRIPTOR_KIND", "got undefined"));
  });
});

describe("broadcast state", () => {
  it("keys compare by content, and keys() gives back the key first put", () => {
    const state = new DefaultOperatorStateStore().getBroadcastState(new MapStateDescriptor<{ a: number; b: number }, string>("b"));
    state.put({ a: 1, b: 2 }, "x");
    state.put({ b: 2, a: 1 }, "y");
    assert.equal(state.get({ a: 1, b: 2 }), "y");
    assert.deepEqual([...state.keys()], [{ a: 1, b: 2 }]);
    state.remove({ b: 2, a: 1 });
    assert.equal(state.isEmpty(), true);
  });

  it("the read-only view reads the state and refuses every write with its own code", () => {
    const store = new DefaultOperatorStateStore();
    const state = store.getBroadcastState(new MapStateDescriptor<string, number>("rules"));
    state.put("a", 1);
    const view = (state as unknown as { readOnly(where: string): Record<string, (...args: unknown[]) => unknown> }).readOnly("processElement");
    assert.equal(view.get!("a"), 1);
    assert.equal(view.contains!("a"), true);
    assert.deepEqual([...(view.immutableEntries!() as Iterable<unknown>)], [["a", 1]]);
    for (const write of ["put", "putAll", "remove", "clear"]) {
      assert.throws(() => view[write]!("a", 2), isCode("WEIR_ERR_BROADCAST_STATE_READ_ONLY", "'rules'", "processElement", "processBroadcastElement"));
    }
    assert.equal(state.get("a"), 1);
  });
});

describe("schema versions", () => {
  const v2 = { version: 2, migrate: (old: unknown, from: number) => ({ ...(old as object), from }) };

  it("list and union state restored at an older version are migrated element by element when asked for, and snapshot at the new version", () => {
    const store = new DefaultOperatorStateStore({ lists: [["offsets", "split", [{ at: 1 }, { at: 2 }]], ["seen", "union", [{ at: 3 }]]], broadcast: [] });
    assert.deepEqual(store.getListState(new ListStateDescriptor("offsets", v2)).get(), [{ at: 1, from: 1 }, { at: 2, from: 1 }]);
    assert.deepEqual(store.getUnionListState(new ListStateDescriptor("seen", v2)).get(), [{ at: 3, from: 1 }]);
    assert.deepEqual(store.snapshot()!.lists, [["offsets", "split", [{ at: 1, from: 1 }, { at: 2, from: 1 }], 2], ["seen", "union", [{ at: 3, from: 1 }], 2]]);
  });

  it("broadcast values are migrated, keys kept", () => {
    const store = new DefaultOperatorStateStore({ lists: [], broadcast: [["rules", [["a", { limit: 5 }]], 1]] });
    const rules = store.getBroadcastState(new MapStateDescriptor<string, object>("rules", v2));
    assert.deepEqual([...rules.entries()], [["a", { limit: 5, from: 1 }]]);
    assert.deepEqual(store.snapshot()!.broadcast, [["rules", [["a", { limit: 5, from: 1 }]], 2]]);
  });

  it("a list restored at two versions (instances that did not all ask) is snapshot as it is until asked for, then each part migrates from its own version", () => {
    const restored = { lists: [["offsets", "split", [{ at: 1 }]], ["offsets", "split", [{ at: 2, from: 1 }], 2]] as const, broadcast: [] };
    const idle = new DefaultOperatorStateStore(restored as never);
    assert.deepEqual(idle.snapshot()!.lists, restored.lists);
    const store = new DefaultOperatorStateStore(idle.snapshot());
    const froms: number[] = [];
    const state = store.getListState(new ListStateDescriptor("offsets", { version: 3, migrate: (old, from) => (froms.push(from), old) }));
    assert.deepEqual(state.get(), [{ at: 1 }, { at: 2, from: 1 }]);
    assert.deepEqual(froms, [1, 2]);
  });

  it("a version that grew without a migration, or a newer one, is refused naming operator, state and versions", () => {
    const store = new DefaultOperatorStateStore({ lists: [["offsets", "split", [1]]], broadcast: [["rules", [], 3]] }, "reader");
    assert.throws(() => store.getListState(new ListStateDescriptor("offsets", { version: 2 })), isCode("WEIR_ERR_STATE_MIGRATION_MISSING", "'reader'", "'offsets'", "version 1", "version 2"));
    assert.throws(() => store.getBroadcastState(new MapStateDescriptor("rules", v2)), isCode("WEIR_ERR_STATE_MIGRATION_MISSING", "'rules'", "version 3", "newer"));
  });

  it("state created by the job takes its descriptor's version", () => {
    const store = new DefaultOperatorStateStore();
    store.getListState(new ListStateDescriptor<number>("offsets", { version: 4 })).add(1);
    assert.deepEqual(store.snapshot()!.lists, [["offsets", "split", [1], 4]]);
  });
});
