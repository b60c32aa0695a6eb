/**
 * State TTL in a running job: keyed state expires on the job's clock (a manual clock here), so a
 * test controls it, and the expired value never reaches the function.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  defineJob,
  KeyedProcessFunction,
  ManualClock,
  runJob,
  StateTtlConfig,
  ValueStateDescriptor,
  type Collector,
  type KeyedContext,
  type RuntimeContext,
  type ValueState,
} from "../../../src/index.ts";
import { ListSink, ScriptedInput, until } from "../scripted.ts";

/** Emits `<key>:<value it remembered, or none>` and remembers the new value, with a TTL of 100 ms. */
class Remember extends KeyedProcessFunction<string, [string, number], string> {
  private last!: ValueState<number>;
  override open(context: RuntimeContext): void {
    const descriptor = new ValueStateDescriptor<number>("last");
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(100).build());
    this.last = context.getState(descriptor);
  }
  processElement([, n]: [string, number], ctx: KeyedContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}:${this.last.value() ?? "none"}`);
    this.last.update(n);
  }
}

describe("state TTL in a running job", () => {
  it("a value expires when the job's clock passes its TTL, and not before", async () => {
    const clock = new ManualClock(1_000);
    const input = new ScriptedInput<[string, number]>();
    const output = new ListSink<string>();
    const job = defineJob((env) => {
      env.fromSource(input.source(), "numbers").setParallelism(1).keyBy((r) => r[0]).process(new Remember()).sinkTo(output.sink());
    });
    const done = runJob(job, { runtime: "single-thread", parallelism: 2, clock, bufferTimeoutMs: 0 });
    input.push(["a", 1], ["b", 2]);
    await until(() => output.records.length === 2);
    clock.advance(99);
    input.push(["a", 3]);
    await until(() => output.records.length === 3);
    clock.advance(1);
    input.push(["a", 4], ["b", 5]);
    await until(() => output.records.length === 5);
    input.end();
    await done;
    assert.deepEqual(output.records.slice(0, 2).sort(), ["a:none", "b:none"]);
    assert.equal(output.records[2], "a:1", "99 ms after its write the value is still there");
    assert.deepEqual(output.records.slice(3).sort(), ["a:3", "b:none"], "b expired 100 ms after its write; a was written again at 99 ms");
  });
});
