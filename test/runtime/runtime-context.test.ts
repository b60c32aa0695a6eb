import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../src/api/job-args.ts";
import { WeirError } from "../../src/core/errors.ts";
import { KeyedServices } from "../../src/runtime/keyed-services.ts";
import { StreamingRuntimeContext } from "../../src/runtime/runtime-context.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from "../../src/state/descriptors.ts";
import { HeapKeyedStateBackend } from "../../src/state/heap/heap-keyed-state-backend.ts";

function keyedContext(): StreamingRuntimeContext {
  const backend = new HeapKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128 });
  return new StreamingRuntimeContext("counter", 0, 1, 128, new JobArgs([]), new KeyedServices(backend, [(x: unknown) => x]));
}

const wrongKind = (call: string, needed: string, given: string) => (e: unknown) =>
  e instanceof WeirError && e.code === "WEIR_ERR_STATE_DESCRIPTOR_KIND" && e.message === `${call} needs a ${needed}, got ${given}`;

describe("StreamingRuntimeContext", () => {
  it("each getter takes only descriptors of its own kind, naming the call, the kind needed and the descriptor given", () => {
    const ctx = keyedContext();
    const value = new ValueStateDescriptor<number>("v");
    const list = new ListStateDescriptor<number>("l");
    assert.throws(() => ctx.getState(list as never), wrongKind("getState", "ValueStateDescriptor", "a list state descriptor ('l')"));
    assert.throws(() => ctx.getListState(value as never), wrongKind("getListState", "ListStateDescriptor", "a value state descriptor ('v')"));
    assert.throws(() => ctx.getMapState(value as never), wrongKind("getMapState", "MapStateDescriptor", "a value state descriptor ('v')"));
    assert.throws(() => ctx.getReducingState(value as never), wrongKind("getReducingState", "ReducingStateDescriptor", "a value state descriptor ('v')"));
    assert.throws(() => ctx.getAggregatingState(value as never), wrongKind("getAggregatingState", "AggregatingStateDescriptor", "a value state descriptor ('v')"));
    assert.throws(() => ctx.getState("count" as never), wrongKind("getState", "ValueStateDescriptor", "count"));
  });

  it("descriptors of the right kind give their state", () => {
    const ctx = keyedContext();
    assert.ok(ctx.getState(new ValueStateDescriptor<number>("v")));
    assert.ok(ctx.getListState(new ListStateDescriptor<number>("l")));
    assert.ok(ctx.getMapState(new MapStateDescriptor<string, number>("m")));
    assert.ok(ctx.getReducingState(new ReducingStateDescriptor<number>("r", (a, b) => a + b)));
    assert.ok(ctx.getAggregatingState(new AggregatingStateDescriptor<number, number, number>("a", { createAccumulator: () => 0, add: (v, a) => a + v, getResult: (a) => a })));
  });
});
