/**
 * Watermark strategies applied in a job, on a manual clock (single-thread runtime): the test
 * decides when processing time passes, so it says exactly when periodic watermarks are emitted,
 * when an input goes idle, and which event-time timers have fired.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  JobFailedError,
  KeyedProcessFunction,
  ManualClock,
  Watermark,
  WatermarkStrategy,
  defineJob,
  runJob,
  type Collector,
  type KeyedContext,
  type OnTimerContext,
  type StreamExecutionEnvironment,
  type DataStream,
} from "../../../src/index.ts";
import { ListSink, ScriptedInput, until } from "../scripted.ts";

const START = 1_000;

interface Ev {
  readonly key: string;
  readonly ts: number;
  readonly mark?: boolean;
}

/** Registers an event-time timer at each event's timestamp; says when and how each fired. */
class FireAtTimestamp extends KeyedProcessFunction<string, Ev, string> {
  readonly seen: Ev[] = [];
  processElement(e: Ev, ctx: KeyedContext<string>): void {
    this.seen.push(e);
    ctx.timerService().registerEventTimeTimer(e.ts);
  }
  override onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const wm = ctx.timerService().currentWatermark();
    out.collect(`${ctx.getCurrentKey()}@${time} ${ctx.timeDomain()} wm=${wm === Watermark.MAX_WATERMARK.getTimestamp() ? "max" : wm}`);
  }
}

function start(build: (env: StreamExecutionEnvironment, inputs: ScriptedInput<Ev>[]) => DataStream<Ev>, inputCount = 1) {
  const clock = new ManualClock(START);
  const inputs = Array.from({ length: inputCount }, () => new ScriptedInput<Ev>());
  const output = new ListSink<string>();
  const fn = new FireAtTimestamp();
  const job = defineJob((env) => {
    build(env, inputs)
      .keyBy((e) => e.key)
      .process(fn)
      .sinkTo(output.sink());
  });
  const done = runJob(job, { runtime: "single-thread", parallelism: 1, clock, bufferTimeoutMs: 0 });
  return { clock, inputs, output, done, fn };
}

const ascending = () => WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);

describe("watermark strategies in a job", () => {
  it("periodic watermarks follow the auto-watermark interval, and the end of input fires the remaining timers", async () => {
    const { clock, inputs, output, done, fn } = start((env, [input]) => {
      assert.equal(env.getConfig().getAutoWatermarkInterval(), 200, "Flink's default");
      env.getConfig().setAutoWatermarkInterval(100);
      return env.fromSource(input!.source(), ascending(), "events");
    });
    inputs[0]!.push({ key: "a", ts: 10 }, { key: "b", ts: 20 });
    await until(() => fn.seen.length === 2);
    clock.set(START + 99);
    inputs[0]!.push({ key: "c", ts: 30 });
    await until(() => fn.seen.length === 3);
    assert.deepEqual(output.records, [], "no watermark before the interval passed");
    clock.set(START + 100);
    await until(() => output.records.length === 2);
    assert.deepEqual(output.records, ["a@10 EVENT_TIME wm=29", "b@20 EVENT_TIME wm=29"]);
    inputs[0]!.end();
    await done;
    assert.deepEqual(output.records.slice(2), ["c@30 EVENT_TIME wm=max"]);
  });

  it("a punctuated generator's watermark follows the record that caused it", async () => {
    const punctuated = WatermarkStrategy.forGenerator<Ev>(() => ({
      onEvent: (e, ts, out) => {
        if (e.mark === true) out.emitWatermark(new Watermark(ts));
      },
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e) => e.ts);
    const { inputs, output, done } = start((env, [input]) => env.fromSource(input!.source(), punctuated, "events"));
    inputs[0]!.push({ key: "a", ts: 3 }, { key: "b", ts: 5, mark: true }, { key: "c", ts: 6 });
    await until(() => output.records.length === 2);
    assert.deepEqual(output.records, ["a@3 EVENT_TIME wm=5", "b@5 EVENT_TIME wm=5"], "b's own timer at 5 fired: the watermark came after b");
    inputs[0]!.end();
    await done;
    assert.deepEqual(output.records.slice(2), ["c@6 EVENT_TIME wm=max"]);
  });

  it("an input without events holds the combined watermark back until it is idle; its return does not move it back", async () => {
    const idleAfter300 = () => ascending().withIdleness(300);
    const run = start(
      (env, [busy, quiet]) => {
        env.getConfig().setAutoWatermarkInterval(100);
        return env.fromSource(busy!.source(), idleAfter300(), "busy").union(env.fromSource(quiet!.source(), idleAfter300(), "quiet"));
      },
      2,
    );
    const [busy, quiet] = run.inputs as [ScriptedInput<Ev>, ScriptedInput<Ev>];
    busy.push({ key: "a", ts: 10 }, { key: "a", ts: 50 });
    await until(() => run.fn.seen.length === 2);
    for (let t = 100; t <= 300; t += 100) {
      run.clock.set(START + t);
      busy.push({ key: "x", ts: 50 + t });
      await until(() => run.fn.seen.length === 2 + t / 100);
    }
    assert.deepEqual(run.output.records, [], "the quiet input holds the watermark back while it is not idle yet");
    run.clock.set(START + 500);
    await until(() => run.output.records.length === 4);
    assert.deepEqual(run.output.records, ["a@10 EVENT_TIME wm=349", "a@50 EVENT_TIME wm=349", "x@150 EVENT_TIME wm=349", "x@250 EVENT_TIME wm=349"]);
    // The quiet input comes back with an old timestamp: the watermark stays, and moves on with the busy input.
    quiet.push({ key: "q", ts: 20 });
    await until(() => run.fn.seen.length === 6);
    run.clock.set(START + 600);
    busy.push({ key: "y", ts: 1_000 });
    await until(() => run.output.records.length === 6);
    busy.end();
    quiet.end();
    await run.done;
    assert.deepEqual(run.output.records.slice(4), ["q@20 EVENT_TIME wm=999", "x@350 EVENT_TIME wm=999", "y@1000 EVENT_TIME wm=max"]);
  });

  it("a timestamp assigner that returns something other than a finite number fails the job, naming the operator", async () => {
    for (const bad of [undefined, "12", Number.NaN, Infinity]) {
      const job = defineJob((env) => {
        env
          .fromSource(
            new ScriptedInputOf([{ key: "a", ts: 1 }]).source(),
            WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner(() => bad as unknown as number),
            "readings",
          )
          .print();
      });
      await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => {
        assert.ok(e instanceof JobFailedError);
        assert.equal(e.code, "WEIR_ERR_INVALID_TIMESTAMP");
        assert.match(e.message, /Timestamps\/Watermarks: readings/);
        assert.match(e.message, /finite number of milliseconds/);
        return true;
      });
    }
  });

  it("without a timestamp assigner records have no timestamp (null), and the end of input still fires event-time timers", async () => {
    const output = new ListSink<string>();
    const job = defineJob((env) => {
      env
        .fromElements<Ev>({ key: "a", ts: 5 })
        .keyBy((e) => e.key)
        .process({
          processElement(e: Ev, ctx: KeyedContext<string>, out: Collector<string>) {
            out.collect(`timestamp ${String(ctx.timestamp())}`);
            ctx.timerService().registerEventTimeTimer(e.ts);
          },
          onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<string>) {
            out.collect(`timer ${time} timestamp ${ctx.timestamp()}`);
          },
        } as unknown as KeyedProcessFunction<string, Ev, string>)
        .sinkTo(output.sink());
    });
    await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(output.records, ["timestamp null", "timer 5 timestamp 5"]);
  });
});

/** A bounded input of fixed records. */
class ScriptedInputOf<T> extends ScriptedInput<T> {
  constructor(records: T[]) {
    super();
    this.push(...records);
    this.end();
  }
}
