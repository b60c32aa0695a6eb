/**
 * Windowed streams as users write them, in jobs: keyed and all-windows with every window
 * function form, count windows, late data read from a side output, records changed in place
 * downstream and by reduce functions, parallel runs; and the settings refused while the job is
 * built.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type {
  TimeWindow} from "../../src/index.ts";
import {
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindows,
  JobFailedError,
  ManualClock,
  OutputTag,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  defineJob,
  runJob,
  type AggregateFunction,
  type Collector,
  type ProcessWindowFunctionContext,
  type SingleOutputStream,
} from "../../src/index.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { FireOnEveryElement, ev, punctuated, runWindowed, type Ev } from "./window-job.ts";
import { ListSink, ScriptedInput, until } from "../runtime/scripted.ts";

const sumOf = (a: Ev, b: Ev): Ev => ({ k: a.k, t: a.t, v: a.v + b.v });

/** Counts elements; merges for sessions. */
const count: AggregateFunction<Ev, number, number> = { createAccumulator: () => 0, add: (_e, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };

/** Says which window fired for which key, with what input. */
class Describe<IN> extends ProcessWindowFunction<IN, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowFunctionContext<TimeWindow>, elements: Iterable<IN>, out: Collector<string>): void {
    const w = ctx.window();
    out.collect(`${key} [${w.start},${w.end}) ${JSON.stringify([...elements])}`);
  }
}

describe("keyBy(...).window(...)", () => {
  it("counts per key and tumbling window over out-of-order input, in parallel", async () => {
    const events: Ev[] = [];
    // Up to 300 ms out of order; every 50 events a watermark 400 ms behind, so nothing is late.
    for (let i = 0; i < 300; i++) events.push(ev(`k${i % 7}`, i * 10 + ((i * 37) % 300), 1, i % 50 === 49 ? i * 10 - 400 : undefined));
    const out = await runWindowed(
      events,
      (s) => s.keyBy((e) => e.k).window(TumblingEventTimeWindows.of(100)).aggregate(count, new Describe<number>()),
      { parallelism: 3 },
    );
    const expected = new Map<string, number>();
    for (const e of events) {
      const name = `${e.k} [${Math.floor(e.t / 100) * 100},${Math.floor(e.t / 100) * 100 + 100})`;
      expected.set(name, (expected.get(name) ?? 0) + 1);
    }
    assert.deepEqual(out.sort(), [...expected].map(([name, n]) => `${name} [${n}]`).sort());
  });

  it("reduces each window, and gives a window function the reduced value with the key and window", async () => {
    const events = [ev("a", 1, 1), ev("a", 5, 2), ev("b", 3, 10), ev("a", 12, 4)];
    const reduced = await runWindowed(events, (s) => s.keyBy((e) => e.k).window(TumblingEventTimeWindows.of(10)).reduce(sumOf).map((e) => `${e.k}:${e.v}`));
    assert.deepEqual(reduced.sort(), ["a:3", "a:4", "b:10"]);
    const applied = await runWindowed(events, (s) =>
      s
        .keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .reduce(sumOf, (key: string, window: TimeWindow, input: Iterable<Ev>, out: Collector<string>) => out.collect(`${key}@${window.start}=${[...input][0]!.v}`)),
    );
    assert.deepEqual(applied.sort(), ["a@0=3", "a@10=4", "b@0=10"]);
  });

  it("gives process() all elements of a session, and apply() all elements of a sliding window", async () => {
    const events = [ev("a", 1, 1), ev("a", 4, 2), ev("a", 20, 3), ev("a", 2, 4)];
    const sessions = await runWindowed(events, (s) => s.keyBy((e) => e.k).window(EventTimeSessionWindows.withGap(5)).process(new Describe<Ev>()));
    assert.deepEqual(sessions.map((line) => line.replace(/"t":\d+,/g, "")).sort(), [
      'a [1,9) [{"k":"a","v":1},{"k":"a","v":2},{"k":"a","v":4}]',
      'a [20,25) [{"k":"a","v":3}]',
    ]);
    const sliding = await runWindowed(events, (s) =>
      s
        .keyBy((e) => e.k)
        .window(SlidingEventTimeWindows.of(10, 5))
        .apply({ apply: (_key: string, window: TimeWindow, input: Iterable<Ev>, out: Collector<string>) => out.collect(`${window.start}:${[...input].length}`) }),
    );
    assert.deepEqual(sliding.sort(), ["-5:3", "0:3", "15:1", "20:1"]);
  });

  it("sums, minimizes and picks the largest element of each window by field", async () => {
    const events = [ev("a", 1, 5), ev("a", 2, 9), ev("a", 3, 2)];
    const tumbling = TumblingEventTimeWindows.of(10);
    assert.deepEqual(await runWindowed(events, (s) => s.keyBy((e) => e.k).window(tumbling).sum("v")), [{ k: "a", t: 1, v: 16 }]);
    assert.deepEqual(await runWindowed(events, (s) => s.keyBy((e) => e.k).window(tumbling).min("v")), [{ k: "a", t: 1, v: 2 }]);
    assert.deepEqual(await runWindowed(events, (s) => s.keyBy((e) => e.k).window(tumbling).maxBy("v")), [{ k: "a", t: 2, v: 9 }]);
  });

  it("fires count windows per key, tumbling and sliding", async () => {
    const events = [1, 2, 3, 4, 5].map((v) => ev("a", v, v));
    const tumbling = await runWindowed(events, (s) => s.keyBy((e) => e.k).countWindow(2).sum("v").map((e) => e.v));
    assert.deepEqual(tumbling, [3, 7]);
    const sliding = await runWindowed(events, (s) => s.keyBy((e) => e.k).countWindow(3, 2).sum("v").map((e) => e.v));
    assert.deepEqual(sliding, [3, 9]);
  });

  it("reduces what an evictor left, as Flink does with an evictor before reduce", async () => {
    const events = [1, 2, 3, 4].map((v) => ev("a", v, v));
    const out = await runWindowed(events, (s) => s.keyBy((e) => e.k).window(GlobalWindows.create()).trigger(CountTrigger.of(2)).evictor(CountEvictor.of(3)).reduce(sumOf).map((e) => e.v));
    assert.deepEqual(out, [3, 9]);
  });

  it("sends elements too late for every window to the late-data side output, and fires again for those within the allowed lateness", async () => {
    const late = new OutputTag<Ev>("late");
    const events = [ev("a", 1, 1), ev("a", 12, 2, 11), ev("a", 3, 3), ev("a", 25, 4, 24), ev("a", 4, 5)];
    const job = defineJob((env) => {
      const windowed = env
        .fromElements(...events)
        .setParallelism(1)
        .assignTimestampsAndWatermarks(punctuated<Ev>())
        .setParallelism(1)
        .keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .allowedLateness(5)
        .sideOutputLateData(late)
        .reduce(sumOf);
      windowed.map((e) => `fired ${e.v}`).collect("out");
      windowed.getSideOutput(late).map((e) => `late ${e.v} at ${e.t}`).collect("late");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 2 });
    // [0,10) fires at watermark 11 (1), again for 3 (within 5 ms): 1+3; at watermark 24 it is gone and 4 is late.
    assert.deepEqual(result.collected("out"), ["fired 1", "fired 4", "fired 2", "fired 4"]);
    assert.deepEqual(result.collected("late"), ["late 5 at 4"]);
  });

  it("a reduce that changes its accumulator in place, and a map after it that scribbles on what it gets, leave each firing right", async () => {
    const events = [ev("a", 1, 1), ev("a", 2, 2, 10), ev("a", 3, 4), ev("a", 4, 8)];
    const out = await runWindowed(events, (s) =>
      s
        .keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .allowedLateness(100)
        .reduce((a, b) => {
          (a as { v: number }).v += b.v;
          return a;
        })
        .map((e) => {
          const v = e.v;
          (e as { v: number }).v = -1000;
          return v;
        }),
    );
    assert.deepEqual(out, [3, 7, 15]);
  });

  it("sliding count windows and all-windows stay right when reduce and aggregate change their input in place", async () => {
    const events = [1, 10, 100, 1000, 10000].map((v, i) => ev("a", i, v));
    const sumInPlace = (a: Ev, b: Ev): Ev => {
      (a as { v: number }).v += b.v;
      return a;
    };
    const keeping: AggregateFunction<Ev, { v: number } | null, number> = {
      createAccumulator: () => null,
      add: (e, acc) => {
        if (acc === null) return e as { v: number };
        acc.v += e.v;
        return acc;
      },
      getResult: (acc) => acc!.v,
      // Changes its first accumulator in place, as the add does.
      merge: (a, b) => {
        if (a === null) return b;
        if (b !== null) a.v += b.v;
        return a;
      },
    };
    const { merge: _, ...keepingWithoutMerge } = keeping;
    const expected = [1, 11, 111, 1110, 11100];
    assert.deepEqual(await runWindowed(events, (s) => s.keyBy((e) => e.k).countWindow(3, 1).reduce(sumInPlace).map((e) => e.v)), expected);
    assert.deepEqual(await runWindowed(events, (s) => s.countWindowAll(3, 1).reduce(sumInPlace).map((e) => e.v)), expected);
    assert.deepEqual(await runWindowed(events, (s) => s.keyBy((e) => e.k).countWindow(3, 1).aggregate(keeping)), expected);
    const sliding = [ev("a", 6, 1), ev("a", 7, 10), ev("a", 11, 100)];
    // With merge, sliding windows keep panes that fire merged; without, one accumulator per window.
    assert.deepEqual(await runWindowed(sliding, (s) => s.keyBy((e) => e.k).window(SlidingEventTimeWindows.of(10, 5)).aggregate(keeping)), [11, 111, 100]);
    assert.deepEqual(await runWindowed(sliding, (s) => s.keyBy((e) => e.k).window(SlidingEventTimeWindows.of(10, 5)).aggregate(keepingWithoutMerge)), [11, 111, 100]);
  });

  it("fails the job when a session window's function asks for per-window state, which merging windows do not have (as in Flink)", async () => {
    const n = new ValueStateDescriptor<number>("n");
    class PerWindow extends ProcessWindowFunction<Ev, number, string, TimeWindow> {
      process(_k: string, ctx: ProcessWindowFunctionContext<TimeWindow>, _elements: Iterable<Ev>, out: Collector<number>): void {
        ctx.windowState().getState(n).update(1);
        out.collect(1);
      }
    }
    await assert.rejects(
      runWindowed([ev("a", 1)], (s) => s.keyBy((e) => e.k).window(EventTimeSessionWindows.withGap(10)).process(new PerWindow())),
      (e: Error) => e instanceof JobFailedError && /Per-window state is not allowed when using merging windows/.test(String(e.cause instanceof Error ? e.cause.message : e.message)),
    );
  });

  it("fails the job with the user's error when a window function throws a string", async () => {
    const job = defineJob((env) => {
      env
        .fromElements(ev("a", 1))
        .assignTimestampsAndWatermarks(punctuated<Ev>())
        .keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .process(
          new (class extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
            process(): void {
              throw "no windows today";
            }
          })(),
        )
        .collect("out");
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => e instanceof JobFailedError && /no windows today/.test(e.message));
  });
});

describe("processing-time windows in a job", () => {
  it("fire when the job's clock passes their end, and not before", async () => {
    const clock = new ManualClock(1_000);
    const input = new ScriptedInput<Ev>();
    const output = new ListSink<string>();
    const job = defineJob((env) => {
      env
        .fromSource(input.source(), "events")
        .keyBy((e) => e.k)
        .window(TumblingProcessingTimeWindows.of(100))
        .aggregate(count, (key: string, window: TimeWindow, counts: Iterable<number>, out: Collector<string>) => out.collect(`${key} [${window.start}) ${[...counts][0]}`))
        .sinkTo(output.sink());
    });
    const done = runJob(job, { runtime: "single-thread", parallelism: 2, clock, bufferTimeoutMs: 0 });
    input.push(ev("a", 0), ev("b", 0), ev("a", 0));
    clock.set(1_098);
    await sleep(50);
    assert.deepEqual(output.records, [], "no window ended yet");
    clock.set(1_099);
    await until(() => output.records.length === 2);
    input.end();
    await done;
    assert.deepEqual(output.records.sort(), ["a [1000) 2", "b [1000) 1"]);
  });
});

describe("windowAll(...)", () => {
  it("evaluates every element in one instance, whatever the job's parallelism", async () => {
    class Total extends ProcessAllWindowFunction<Ev, string, TimeWindow> {
      process(ctx: ProcessWindowFunctionContext<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
        out.collect(`[${ctx.window().start}) ${[...elements].reduce((n, e) => n + e.v, 0)}`);
      }
    }
    const events = [ev("a", 1, 1), ev("b", 4, 2), ev("c", 12, 3), ev("d", 8, 4)];
    let stream: SingleOutputStream<string> | undefined;
    const out = await runWindowed(
      events,
      (s) => (stream = s.windowAll(TumblingEventTimeWindows.of(10)).process(new Total())),
      { parallelism: 4 },
    );
    assert.deepEqual(out.sort(), ["[0) 7", "[10) 3"]);
    assert.throws(() => stream!.setParallelism(2), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    const counted = await runWindowed(events, (s) => s.countWindowAll(2).aggregate(count), { parallelism: 2 });
    assert.deepEqual(counted, [2, 2]);
  });
});

describe("windowed streams refuse while the job is built", () => {
  const keyed = () => new StreamExecutionEnvironment().fromElements(ev("a", 1)).keyBy((e) => e.k);
  const invalid = { code: "WEIR_ERR_INVALID_WINDOW" };

  it("a negative allowed lateness, and assigners that are not ones", () => {
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(10)).allowedLateness(-1), invalid);
    assert.throws(() => keyed().window({} as never), invalid);
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(0)), invalid);
    assert.throws(() => keyed().window(SlidingEventTimeWindows.of(5, 10)), invalid);
    assert.throws(() => keyed().countWindow(0), invalid);
  });

  it("a trigger that cannot merge on session windows", () => {
    assert.throws(() => keyed().window(EventTimeSessionWindows.withGap(5)).trigger(new FireOnEveryElement()), invalid);
    assert.doesNotThrow(() => keyed().window(EventTimeSessionWindows.withGap(5)).trigger(EventTimeTrigger.create()));
    assert.doesNotThrow(() => keyed().window(TumblingEventTimeWindows.of(5)).trigger(new FireOnEveryElement()));
  });

  it("an aggregate function without merge on session windows, and objects that are not triggers, evictors or tags", () => {
    const { merge: _merge, ...noMerge } = count;
    assert.throws(() => keyed().window(EventTimeSessionWindows.withGap(5)).aggregate(noMerge), invalid);
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(5)).trigger({} as never), invalid);
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(5)).evictor({} as never), invalid);
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(5)).sideOutputLateData("late" as never), { code: "WEIR_ERR_INVALID_OUTPUT_TAG" });
  });

  it("a reduce or aggregate function with lifecycle hooks, which a window never opens (Flink refuses rich functions there)", () => {
    const rich = { reduce: sumOf, open: () => {} };
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(5)).reduce(rich), { code: "WEIR_ERR_INVALID_ARGUMENT" });
    assert.throws(() => keyed().window(TumblingEventTimeWindows.of(5)).aggregate({ ...count, close: () => {} } as AggregateFunction<Ev, number, number>), { code: "WEIR_ERR_INVALID_ARGUMENT" });
  });
});
