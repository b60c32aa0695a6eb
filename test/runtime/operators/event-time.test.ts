/**
 * Event time through the runtime: timestamps assigned at the source, watermarks through chains,
 * keyBy edges and worker threads, event-time timers in keyed process functions, and the final
 * watermark of a bounded input.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  KeyedProcessFunction,
  ManualClock,
  defineJob,
  runJob,
  type Collector,
  type KeyedContext,
  type OnTimerContext,
} from "../../../src/index.ts";
import { expectedSums, type Stamped } from "../../fixtures/jobs/rt-event-time.ts";
import { canonical, fixtureJob } from "../job-fixtures.ts";
import { ListSink, ScriptedInput, until } from "../scripted.ts";

/** Registers a processing-time timer 10 ms after each record; says what onTimer saw. */
class ProcessingTimer extends KeyedProcessFunction<string, string, string> {
  seen = 0;
  processElement(_key: string, ctx: KeyedContext<string>): void {
    this.seen++;
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 10);
  }
  override onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.timeDomain()} at ${time}, ctx.timestamp() ${ctx.timestamp()}`);
  }
}

/** Passes records on, saying what timestamp each arrived with. */
class ShowTimestamp extends KeyedProcessFunction<string, string, string> {
  processElement(s: string, ctx: KeyedContext<string>, out: Collector<string>): void {
    out.collect(`${s}; arrived with timestamp ${String(ctx.timestamp())}`);
  }
}

describe("event time in a job", () => {
  for (const [runtime, parallelism] of [
    ["single-thread", 1],
    ["single-thread", 3],
    ["threads", 2],
  ] as const) {
    it(`event-time timers fire once per key and time, with the timer's timestamp on what they emit (${runtime}, p=${parallelism})`, { timeout: 30_000 }, async () => {
      const result = await runJob(fixtureJob("rt-event-time"), { runtime, parallelism, bufferSize: 7, args: ["--keys", "3", "--per-key", "40"] });
      assert.deepEqual(canonical(result.collected<Stamped>("out")), canonical(expectedSums(3, 40)));
    });
  }

  it("a processing-time timer sees its time as ctx.timestamp(), and what it emits carries no timestamp (as in Flink)", { timeout: 30_000 }, async () => {
    const clock = new ManualClock(1_000);
    const input = new ScriptedInput<string>();
    const output = new ListSink<string>();
    const timer = new ProcessingTimer();
    const job = defineJob((env) => {
      env
        .fromSource(input.source(), "keys")
        .keyBy((k) => k)
        .process(timer)
        .keyBy((s) => s)
        .process(new ShowTimestamp())
        .sinkTo(output.sink());
    });
    const done = runJob(job, { runtime: "single-thread", parallelism: 1, clock, bufferTimeoutMs: 0 });
    input.push("a");
    await until(() => timer.seen === 1);
    clock.set(1_010);
    await until(() => output.records.length === 1);
    input.end();
    await done;
    assert.deepEqual(output.records, ["PROCESSING_TIME at 1010, ctx.timestamp() 1010; arrived with timestamp null"]);
  });
});
