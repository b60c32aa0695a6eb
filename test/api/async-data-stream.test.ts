import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AVAILABLE,
  AsyncDataStream,
  JobFailedError,
  defineJob,
  runJob,
  type DataStream,
  type InputStatus,
  type JobResult,
  type RunOptions,
  type Source,
  type SourceOutput,
} from "../../src/index.ts";
import definition, { expected, type Looked } from "../fixtures/jobs/rt-async.ts";
import { canonical, fixtureJob } from "../runtime/job-fixtures.ts";

const runtimes: readonly [string, RunOptions][] = [
  ["single-thread, p=1", { runtime: "single-thread", parallelism: 1 }],
  ["single-thread, p=2", { runtime: "single-thread", parallelism: 2 }],
  ["threads, p=2, tiny batches", { runtime: "threads", parallelism: 2, bufferSize: 2 }],
];

for (const [label, options] of runtimes) {
  describe(`AsyncDataStream (${label})`, () => {
    let result: JobResult;
    const run = async (): Promise<JobResult> => (result ??= await runJob(options.runtime === "single-thread" ? definition : fixtureJob("rt-async"), options));

    it("orderedWait enriches every record once", async () => {
      assert.deepEqual(canonical((await run()).collected<Looked>("ordered")), canonical(expected()));
    });

    it("unorderedWait enriches every record once", async () => {
      assert.deepEqual(canonical((await run()).collected<Looked>("unordered")), canonical(expected()));
    });

    it("a request that fails with a string fails the job, naming the operator and the cause", async () => {
      const job = options.runtime === "single-thread" ? definition : fixtureJob("rt-async");
      await assert.rejects(runJob(job, { ...options, args: ["--fail-at", "17"] }), (e: unknown) => {
        assert.ok(e instanceof JobFailedError);
        assert.equal(e.code, "WEIR_ERR_USER_FUNCTION");
        assert.match(e.message, /operator 'ordered lookup' \(subtask \d\/\d\) failed: .*no entry for 17/);
        return true;
      });
    });
  });
}

describe("AsyncDataStream at parallelism 1", () => {
  it("orderedWait emits in input order though requests complete out of order; unorderedWait does not", async () => {
    const result = await runJob(definition, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected("ordered"), expected());
    assert.notDeepEqual(result.collected("unordered"), expected());
  });

  it("keeps at most `capacity` requests in flight, and fills them", async () => {
    let inFlight = 0;
    let most = 0;
    const job = defineJob((env) => {
      const numbers = env.fromElements(...Array.from({ length: 50 }, (_, i) => i));
      AsyncDataStream.unorderedWait(
        numbers,
        (n: number) => {
          most = Math.max(most, ++inFlight);
          return new Promise<number>((resolve) => setTimeout(() => (inFlight--, resolve(n)), 1));
        },
        0,
        3,
      ).collect("out");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.equal(result.collected("out").length, 50);
    assert.equal(most, 3);
  });

  it("reads no further ahead of its results than capacity allows: a source before it polls only what there is room for", async () => {
    const released: number[] = [];
    let polled = 0;
    let mostAhead = 0;
    const source: Source<number> = {
      boundedness: "bounded",
      createReader: () => ({
        pollNext(output: SourceOutput<number>, maxRecords: number): InputStatus {
          for (let i = 0; i < maxRecords && polled < 60; i++) output.collect(polled++);
          mostAhead = Math.max(mostAhead, polled - released.length);
          return polled < 60 ? "more-available" : "end-of-input";
        },
        isAvailable: () => AVAILABLE,
      }),
    };
    const job = defineJob((env) => {
      AsyncDataStream.orderedWait(env.fromSource(source, "numbers"), (n: number) => new Promise<number>((resolve) => setTimeout(() => resolve(n), 1)), 0, 4)
        .sinkTo({ createWriter: () => ({ write: (n: number) => void released.push(n) }) });
    });
    await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.equal(released.length, 60);
    assert.ok(mostAhead <= 4, `polled ${mostAhead} records ahead of the results`);
  });

  it("a restart strategy restarts a job whose request failed, and the next attempt completes", async () => {
    let attempts = 0;
    const job = defineJob((env) => {
      attempts++;
      const first = attempts === 1;
      AsyncDataStream.orderedWait(env.fromElements(1, 2, 3), (n: number) => (first && n === 2 ? Promise.reject(new Error("flaky")) : Promise.resolve(n * 10)), 1_000).collect("out");
    });
    const result = await runJob(job, { runtime: "single-thread", parallelism: 1, restartStrategy: { kind: "fixed-delay", attempts: 1, delayMs: 0 } });
    assert.deepEqual(result.collected("out").slice(-3), [10, 20, 30]);
  });
});

describe("AsyncDataStream arguments", () => {
  const refuses = (build: (numbers: DataStream<number>) => unknown, message: RegExp) =>
    assert.rejects(
      runJob(
        defineJob((env) => {
          build(env.fromElements(1));
        }),
        { runtime: "single-thread" },
      ),
      (e: unknown) => {
        assert.equal((e as { code?: string }).code, "WEIR_ERR_INVALID_ARGUMENT");
        assert.match((e as Error).message, message);
        return true;
      },
    );

  it("refuses a capacity that is not a positive integer", () =>
    refuses((s) => AsyncDataStream.orderedWait(s, (n: number) => Promise.resolve(n), 100, 0), /orderedWait\(\): capacity must be a positive integer, got 0/));

  it("refuses a negative timeout", () =>
    refuses((s) => AsyncDataStream.unorderedWait(s, (n: number) => Promise.resolve(n), -1), /unorderedWait\(\): timeout must be a number of milliseconds, 0 or more/));

  it("refuses a function that is neither a closure nor an AsyncFunction", () =>
    refuses((s) => AsyncDataStream.orderedWait(s, {} as never, 100), /expects an AsyncFunction/));
});
