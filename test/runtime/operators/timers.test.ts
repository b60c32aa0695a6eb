/**
 * Processing-time timers of keyed process functions. On a manual clock (single-thread runtime,
 * RunOptions.clock) the test decides when time passes, so it can say exactly which timers fired;
 * on the system clock, in both runtimes, timers due at once fire before the job may end.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CoProcessFunction,
  JobFailedError,
  KeyedProcessFunction,
  ManualClock,
  ValueStateDescriptor,
  defineJob,
  runJob,
  type Collector,
  type KeyedContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from "../../../src/index.ts";
import { keyName, type TimerOutput } from "../../fixtures/jobs/rt-timers.ts";
import { canonical, fixtureJob, tempDir } from "../job-fixtures.ts";
import { ListSink, ScriptedInput, until } from "../scripted.ts";

const START = 1_000;

type Command = readonly [key: string, action: "at" | "delete" | "twice", offset: number];
type Fired = readonly [key: string, time: number, now: number, note: string];

/**
 * For each command, registers (or deletes) a timer `offset` ms after the current processing time.
 * onTimer emits (key, time, clock, the key's note from ValueState); a timer of key "chain" registers
 * the next one 10 ms later, three times.
 */
class Scheduler extends KeyedProcessFunction<string, Command, Fired> {
  private note!: ValueState<string>;
  private chained!: ValueState<number>;
  readonly seen: Command[] = [];

  override open(context: RuntimeContext): void {
    this.note = context.getState(new ValueStateDescriptor<string>("note"));
    this.chained = context.getState(new ValueStateDescriptor<number>("chained"));
  }

  processElement(command: Command, ctx: KeyedContext<string>, _out: Collector<Fired>): void {
    const [key, action, offset] = command;
    const timers = ctx.timerService();
    const time = timers.currentProcessingTime() + offset;
    if (action === "delete") timers.deleteProcessingTimeTimer(time);
    else {
      timers.registerProcessingTimeTimer(time);
      if (action === "twice") timers.registerProcessingTimeTimer(time);
    }
    this.note.update(`note of ${key}`);
    this.seen.push(command);
  }

  override onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<Fired>): void {
    const key = ctx.getCurrentKey();
    out.collect([key, time, ctx.timerService().currentProcessingTime(), this.note.value() ?? "none"]);
    if (key === "chain") {
      const n = (this.chained.value() ?? 0) + 1;
      this.chained.update(n);
      if (n < 3) ctx.timerService().registerProcessingTimeTimer(time + 10);
    }
  }
}

/** Runs the scheduler on a manual clock; the test drives input and time through the returned handles. */
function startScheduler(parallelism: number) {
  const clock = new ManualClock(START);
  const input = new ScriptedInput<Command>();
  const output = new ListSink<Fired>();
  const functions: Scheduler[] = [];
  const job = defineJob((env) => {
    const fn = new Scheduler();
    functions.push(fn);
    env
      .fromSource(input.source(), "commands")
      .setParallelism(1)
      .keyBy((c) => c[0])
      .process(fn)
      .sinkTo(output.sink());
  });
  const done = runJob(job, { runtime: "single-thread", parallelism, clock, bufferTimeoutMs: 0 });
  const processed = () => functions.reduce((n, f) => n + f.seen.length, 0);
  return { clock, input, output, done, processed };
}

describe("processing-time timers on a manual clock", () => {
  it("a timer fires once the clock reaches its time, with its key current, and not before", async () => {
    const { clock, input, output, done, processed } = startScheduler(2);
    input.push(["a", "at", 10], ["b", "at", 20]);
    await until(() => processed() === 2);
    clock.set(START + 9);
    input.push(["c", "at", 0]);
    await until(() => output.records.length === 1);
    // The clock passed no timer but c's: a (due at 1010) and b (1020) would have fired with it.
    assert.deepEqual(output.records, [["c", START + 9, START + 9, "note of c"]]);
    clock.set(START + 10);
    await until(() => output.records.length === 2);
    assert.deepEqual(output.records[1], ["a", START + 10, START + 10, "note of a"]);
    clock.set(START + 25);
    await until(() => output.records.length === 3);
    assert.deepEqual(output.records[2], ["b", START + 20, START + 25, "note of b"]);
    input.end();
    await done;
    assert.equal(output.records.length, 3);
  });

  it("due timers fire in time order, a timer registered twice fires once, and a deleted timer never fires", async () => {
    const { clock, input, output, done, processed } = startScheduler(1);
    input.push(["x", "at", 30], ["y", "twice", 10], ["z", "at", 20], ["z", "at", 5], ["z", "delete", 5], ["w", "at", 20]);
    await until(() => processed() === 6);
    clock.set(START + 100);
    await until(() => output.records.length === 4);
    input.end();
    await done;
    assert.deepEqual(
      output.records.map(([key, time]) => [key, time]),
      [
        ["y", START + 10],
        ["z", START + 20],
        ["w", START + 20],
        ["x", START + 30],
      ],
    );
  });

  it("a timer registered in onTimer fires when the clock reaches its own time", async () => {
    const { clock, input, output, done, processed } = startScheduler(2);
    input.push(["chain", "at", 0]);
    await until(() => processed() === 1 && output.records.length === 1);
    clock.set(START + 15);
    await until(() => output.records.length === 2);
    clock.set(START + 100);
    await until(() => output.records.length === 3);
    input.end();
    await done;
    assert.deepEqual(
      output.records.map(([, time, now]) => [time, now]),
      [
        [START, START],
        [START + 10, START + 15],
        [START + 20, START + 100],
      ],
    );
  });

  it("a keyed co-process function has timers scoped to the key of either input", async () => {
    const clock = new ManualClock(START);
    const left = new ScriptedInput<string>();
    const right = new ScriptedInput<number>();
    const output = new ListSink<string>();
    let seen = 0;
    class Both extends CoProcessFunction<string, number, string> {
      processElement1(value: string, ctx: KeyedContext<unknown>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + value.length);
        seen++;
      }
      processElement2(value: number, ctx: KeyedContext<unknown>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + value);
        seen++;
      }
      override onTimer(time: number, ctx: OnTimerContext<unknown>, out: Collector<string>): void {
        out.collect(`${String(ctx.getCurrentKey())}@${time - START}`);
      }
    }
    const job = defineJob((env) => {
      env
        .fromSource(left.source(), "left")
        .setParallelism(1)
        .connect(env.fromSource(right.source(), "right").setParallelism(1))
        .keyBy(
          (s) => s.length,
          (n) => n,
        )
        .process(new Both())
        .sinkTo(output.sink());
    });
    const done = runJob(job, { runtime: "single-thread", parallelism: 2, clock, bufferTimeoutMs: 0 });
    left.push("abc", "hello");
    right.push(3, 7);
    await until(() => seen === 4);
    clock.set(START + 10);
    await until(() => output.records.length === 3);
    left.end();
    right.end();
    await done;
    // Key 3 registered START+3 from both inputs: one timer.
    assert.deepEqual([...output.records].sort(), ["3@3", "5@5", "7@7"]);
  });

  it("a co-process function on non-keyed inputs is refused timers, naming the operator", async () => {
    class Untimed extends CoProcessFunction<number, number, number> {
      processElement1(value: number, ctx: KeyedContext<unknown>, out: Collector<number>): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 10);
        out.collect(value);
      }
      processElement2(value: number, _ctx: KeyedContext<unknown>, out: Collector<number>): void {
        out.collect(value);
      }
    }
    const input = new ScriptedInput<number>();
    input.push(1);
    input.end();
    const job = defineJob((env) => {
      const s = env.fromSource(input.source(), "numbers");
      s.connect(s).process(new Untimed()).name("untimed").sinkTo(new ListSink<number>().sink());
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1 }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.code, "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM");
      assert.match(e.message, /operator 'untimed' \(subtask 1\/1\) failed: .*operator 'untimed' tried to set a timer: Setting timers is only supported on keyed streams/);
      return true;
    });
  });
});

describe("processing-time timers on the system clock", () => {
  const expected = (keys: number, perKey: number): TimerOutput[] => {
    const out: TimerOutput[] = [];
    for (let k = 0; k < keys; k++) {
      out.push({ kind: "timer", key: keyName(k), registeredTime: true, notEarly: true, sawState: true });
      for (let i = 0; i < perKey; i++) out.push({ kind: "record", key: keyName(k), i });
    }
    return out;
  };

  for (const [runtime, parallelism] of [
    ["single-thread", 2],
    ["threads", 2],
  ] as const) {
    it(`a timer registered at the current time fires once per key before the job ends (${runtime})`, { timeout: 30_000 }, async () => {
      const markers = tempDir("timers");
      const result = await runJob(fixtureJob("rt-timers"), {
        runtime,
        parallelism,
        bufferTimeoutMs: 5,
        args: ["--markers", markers, "--keys", "6", "--per-key", "5"],
      });
      assert.deepEqual(canonical(result.collected<TimerOutput>("out")), canonical(expected(6, 5)));
    });
  }
});
