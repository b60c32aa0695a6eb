import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineJob, runJob, type JobResult, type RunOptions } from "../../src/index.ts";
import { CopyingOutput, protectedOutputs, type RecordTarget } from "../../src/runtime/record-ownership.ts";
import type { Output } from "../../src/runtime/operators/operator.ts";
import definition, { HITS, runningCounts, type Hit } from "../fixtures/jobs/rt-mutation.ts";
import { canonical, fixtureJob } from "./job-fixtures.ts";

/** A target that records what it received and then scribbles on it, as a careless operator would. */
function scribbler(log: unknown[]): Output<unknown> {
  return {
    collect(record) {
      log.push(structuredClone(record));
      (record as { v: number }).v = -1;
    },
  };
}

const keeper = (output: Output<unknown>): RecordTarget => ({ output, readsRecordsOnly: false });
const reader = (output: Output<unknown>): RecordTarget => ({ output, readsRecordsOnly: true });

describe("protectedOutputs", () => {
  it("copies for every consumer that may change a record a producer may still hold", () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const outputs = protectedOutputs([keeper(scribbler(a)), keeper(scribbler(b))], false, false);
    const record = { v: 1 };
    for (const o of outputs) o.collect(record);
    assert.deepEqual(record, { v: 1 });
    assert.deepEqual([a, b], [[{ v: 1 }], [{ v: 1 }]]);
  });

  it("hands an owned record uncopied to one consumer, last, after the others took their copies", () => {
    const seen: string[] = [];
    const mutator = scribbler([]);
    const targets = [keeper({ collect: (r) => (mutator.collect(r), seen.push("owner")) }), reader({ collect: (r) => seen.push(`reader ${JSON.stringify(r)}`) }), keeper({ collect: (r) => seen.push(`copy ${JSON.stringify(r)}`) })];
    const outputs = protectedOutputs(targets, true, false);
    assert.equal(outputs.filter((o) => o instanceof CopyingOutput).length, 1);
    for (const o of outputs) o.collect({ v: 7 });
    assert.deepEqual(seen, ["reader {\"v\":7}", "copy {\"v\":7}", "owner"]);
  });

  it("never copies for a consumer that only reads", () => {
    const outputs = protectedOutputs([reader({ collect: () => {} })], false, false);
    assert.equal(outputs.some((o) => o instanceof CopyingOutput), false);
  });

  it("copies nothing with object reuse on", () => {
    const targets = [keeper({ collect: () => {} }), keeper({ collect: () => {} })];
    assert.equal(protectedOutputs(targets, false, true).some((o) => o instanceof CopyingOutput), false);
  });

  it("passes primitives through a copying output as they are", () => {
    const got: unknown[] = [];
    new CopyingOutput({ collect: (r) => got.push(r) }).collect(5);
    assert.deepEqual(got, [5]);
  });
});

const runtimes: readonly [string, RunOptions][] = [
  ["single-thread, p=1", { runtime: "single-thread", parallelism: 1 }],
  ["single-thread, p=2", { runtime: "single-thread", parallelism: 2 }],
  ["threads, p=2, tiny batches", { runtime: "threads", parallelism: 2, bufferSize: 2 }],
];

/** Each key's records in the order they were collected. */
function perKey(records: readonly Hit[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) out.set(r.key, [...(out.get(r.key) ?? []), r.n]);
  return out;
}

function runningSums(): Map<string, number[]> {
  return perKey(runningCounts(HITS));
}

for (const [label, options] of runtimes) {
  describe(`records a user changes in place (${label})`, () => {
    let result: JobResult;
    const run = async (): Promise<JobResult> => (result ??= await runJob(options.runtime === "single-thread" ? definition : fixtureJob("rt-mutation"), options));

    it("a map that changes the state object a process function emitted leaves the state intact", async () => {
      assert.deepEqual(perKey((await run()).collected<Hit>("state-object")), runningSums());
    });

    it("a state object emitted across a keyBy and changed again by the next record arrives as it was emitted", async () => {
      assert.deepEqual(perKey((await run()).collected<Hit>("across-keyby")), runningSums());
    });

    it("a map that changes the accumulator a reduce emitted leaves the running sums intact", async () => {
      assert.deepEqual(perKey((await run()).collected<Hit>("reduce-then-mutate")), runningSums());
    });

    it("a reduce that changes its accumulator in place emits each running sum once", async () => {
      assert.deepEqual(perKey((await run()).collected<Hit>("reduce-in-place")), runningSums());
    });

    it("an object emitted, changed and emitted again arrives twice, as it was each time", async () => {
      assert.deepEqual(canonical((await run()).collected("emit-twice")), canonical([1, 10, 2, 20, 3, 30].map((v) => ({ v }))));
    });

    it("an operator that changes its records does not change what a sibling operator reads", async () => {
      const r = await run();
      assert.deepEqual(canonical(r.collected("fan-out-reader")), [1, 2, 3]);
      assert.deepEqual(r.collected("fan-out-mutator"), [-1, -1, -1]);
    });

    it("each subtask of a broadcast consumer changes only its own copy", async () => {
      assert.deepEqual(canonical((await run()).collected("broadcast")), [1001, 1001, 1002, 1002, 1003, 1003]);
    });
  });
}

describe("object reuse", () => {
  it("is off by default: an operator receives a copy of what a user function emitted", async () => {
    const result = await runJob(definition, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual(result.collected("reuse-check"), [false, false, false]);
  });

  it("with getConfig().enableObjectReuse(), records pass between chained operators as they are", async () => {
    const result = await runJob(definition, { runtime: "single-thread", parallelism: 1, args: ["--reuse"] });
    assert.deepEqual(result.collected("reuse-check"), [true, true, true]);
  });

  it("with the objectReuse run option, records pass as they are, and the job's own setting still wins", async () => {
    const job = defineJob((env, args) => {
      if (args.flag("off")) env.getConfig().disableObjectReuse();
      const emitted = new WeakSet<object>();
      env
        .fromElements(1)
        .map((x) => {
          const r = { v: x };
          emitted.add(r);
          return r;
        })
        .map((r) => emitted.has(r))
        .collect("same");
    });
    const on = await runJob(job, { runtime: "single-thread", parallelism: 1, objectReuse: true });
    const off = await runJob(job, { runtime: "single-thread", parallelism: 1, objectReuse: true, args: ["--off"] });
    assert.deepEqual([on.collected("same"), off.collected("same")], [[true], [false]]);
  });
});

describe("fromElements", () => {
  it("replays the elements as they were given, however a job changed them, in a second run", async () => {
    const input = [{ v: 1 }, { v: 2 }];
    const job = defineJob((env) => {
      env
        .fromElements(...input)
        .map((r) => {
          r.v *= 10;
          return r.v;
        })
        .collect("out");
    });
    const first = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    const second = await runJob(job, { runtime: "single-thread", parallelism: 1 });
    assert.deepEqual([first.collected("out"), second.collected("out"), input], [[10, 20], [10, 20], [{ v: 1 }, { v: 2 }]]);
  });
});
