import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobFailedError, OutputTag, ProcessFunction, defineJob, runJob, type Collector, type JobResult, type ProcessContext, type RunOptions } from "../../../src/index.ts";
import definition, { COUNT, KEYS, hits, numbers, type Hit } from "../../fixtures/jobs/rt-side-outputs.ts";
import { canonical, fixtureJob } from "../job-fixtures.ts";

const runtimes: readonly [string, RunOptions][] = [
  ["single-thread, p=1", { runtime: "single-thread", parallelism: 1 }],
  ["single-thread, p=2", { runtime: "single-thread", parallelism: 2 }],
  ["threads, p=2, tiny batches", { runtime: "threads", parallelism: 2, bufferSize: 2 }],
];

/** Per key, the counts 1..m of its records. */
function keyedCounts(): [number, number][] {
  const out: [number, number][] = [];
  const counts = new Map<number, number>();
  for (const n of numbers()) {
    const key = n % KEYS;
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    out.push([key, c]);
  }
  return out;
}

for (const [label, options] of runtimes) {
  describe(`side outputs (${label})`, () => {
    let result: JobResult;
    const run = async (): Promise<JobResult> => (result ??= await runJob(options.runtime === "single-thread" ? definition : fixtureJob("rt-side-outputs"), options));

    it("the main output gets each record as it was when collected, before the function changed it", async () => {
      assert.deepEqual(canonical((await run()).collected<Hit>("main")), canonical(hits("main")));
    });

    it("a side output read by a chained operator gets each record as it was when sent there", async () => {
      assert.deepEqual(canonical((await run()).collected<Hit>("side-chained")), canonical(hits("side")));
    });

    it("a side output read across a rebalance gets the same records", async () => {
      assert.deepEqual(canonical((await run()).collected<Hit>("side-rebalanced")), canonical(hits("side")));
    });

    it("a side output can be keyed: a keyed process function counts its records per key, and has side outputs of its own", async () => {
      const r = await run();
      assert.deepEqual(canonical(r.collected("keyed")), canonical(keyedCounts()));
      assert.deepEqual(canonical(r.collected("seen")), canonical(numbers().map((n) => `side ${n}`)));
    });

    it("a co-process function sends records of its second input to a side output", async () => {
      const r = await run();
      assert.deepEqual(canonical(r.collected("pair-main")), canonical(numbers()));
      assert.deepEqual(canonical(r.collected("pair-side")), canonical(numbers()));
    });

    it("a side output nothing was sent to is an empty stream", async () => {
      const r = await run();
      assert.deepEqual(r.collected("never-emitted"), []);
    });

    it("the reader of a side output counts the side output's records as its input", async () => {
      const metrics = (await run()).operators.find((o) => o.name === "chained side");
      assert.deepEqual([metrics?.recordsIn, metrics?.recordsOut], [COUNT, COUNT]);
    });
  });
}

describe("side outputs that are refused", () => {
  it("two different OutputTag objects with one id on one operator are refused while the job is built", async () => {
    const job = defineJob((env) => {
      const s = env.fromElements(1).process(new (class extends ProcessFunction<number, number> {
        processElement(): void {}
      })()).name("splitter");
      s.getSideOutput(new OutputTag<number>("late")).print();
      s.getSideOutput(new OutputTag<string>("late")).print();
    });
    await assert.rejects(runJob(job, { runtime: "single-thread" }), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "WEIR_ERR_OUTPUT_TAG_CONFLICT");
      assert.match((e as Error).message, /operator 'splitter' has two different OutputTag objects with the id 'late'/);
      return true;
    });
  });

  it("one OutputTag object read twice from one operator is one side output, read by both", async () => {
    const tag = new OutputTag<number>("twice");
    const job = defineJob((env) => {
      const s = env.fromElements(1, 2).process(new (class extends ProcessFunction<number, number> {
        processElement(n: number, ctx: ProcessContext): void {
          ctx.output(tag, n);
        }
      })());
      s.getSideOutput(tag).collect("a");
      s.getSideOutput(tag).collect("b");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual([result.collected("a"), result.collected("b")], [[1, 2], [1, 2]]);
  });

  it("a side output sent to with something that is not an OutputTag fails the task, naming the operator", async () => {
    const job = defineJob((env) => {
      env
        .fromElements(1)
        .process(new (class extends ProcessFunction<number, number> {
          processElement(n: number, ctx: ProcessContext): void {
            ctx.output("late" as unknown as OutputTag<number>, n);
          }
        })())
        .name("sloppy")
        .print();
    });
    await assert.rejects(runJob(job, { runtime: "single-thread" }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.code, "WEIR_ERR_INVALID_OUTPUT_TAG");
      assert.match(e.message, /ctx\.output\(\) in operator 'sloppy' expects an OutputTag, got "late"/);
      return true;
    });
  });

  it("getSideOutput of something that is not an OutputTag is refused", () => {
    const job = defineJob((env) => {
      env.fromElements(1).map((n) => n).getSideOutput({ id: "x" } as OutputTag<number>).print();
    });
    return assert.rejects(runJob(job, { runtime: "single-thread" }), { code: "WEIR_ERR_INVALID_OUTPUT_TAG" });
  });
});

describe("ProcessFunction on a stream that is not keyed", () => {
  it("emits any number of records per input, reads processing time, and opens and closes", async () => {
    const events: string[] = [];
    class Repeat extends ProcessFunction<number, number> {
      override open(): void {
        events.push("open");
      }
      processElement(n: number, ctx: ProcessContext, out: Collector<number>): void {
        assert.equal(typeof ctx.timerService().currentProcessingTime(), "number");
        for (let i = 0; i < n; i++) out.collect(n);
      }
      override close(): void {
        events.push("close");
      }
    }
    const job = defineJob((env) => {
      env.fromElements(1, 2, 3).process(new Repeat()).collect("out");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected("out"), [1, 2, 2, 3, 3, 3]);
    assert.deepEqual(events, ["open", "close"]);
  });

  it("is refused timers as in Flink, naming the operator", async () => {
    class Timed extends ProcessFunction<number, number> {
      processElement(_n: number, ctx: ProcessContext): void {
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 5);
      }
    }
    const job = defineJob((env) => {
      env.fromElements(1).process(new Timed()).name("timed").print();
    });
    await assert.rejects(runJob(job, { runtime: "single-thread" }), (e: unknown) => {
      assert.ok(e instanceof JobFailedError);
      assert.equal(e.code, "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM");
      assert.match(e.message, /operator 'timed' tried to set a timer: Setting timers is only supported on keyed streams/);
      return true;
    });
  });
});
