/**
 * runJob's refusals and cancellation, each with its error code: invalid jobs are refused before
 * anything runs, job modules that cannot be loaded are named, a job that builds differently each
 * time is caught, and aborting the signal cancels the job and ends its worker threads.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { syncBuiltinESMExports } from "node:module";
import workerThreads from "node:worker_threads";
import {
  InvalidJobError,
  JobCancelledError,
  JobModuleError,
  WeirError,
  defineJob,
  discardingSink,
  runJob,
  type ErrorCode,
  type RuntimeMode,
} from "../../src/index.ts";
import { ScriptedInput } from "./scripted.ts";
import { fixtureJob } from "./job-fixtures.ts";

const MODES: readonly RuntimeMode[] = ["single-thread", "threads"];

function hasCode(code: ErrorCode, type: abstract new (...args: never[]) => WeirError, message: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  };
}

/** Records every Worker the threads runtime creates, and whether each has exited. */
function spyOnWorkers(): { workers: { worker: workerThreads.Worker; exited: boolean }[]; restore(): void } {
  const Original = workerThreads.Worker;
  const workers: { worker: workerThreads.Worker; exited: boolean }[] = [];
  class Spied extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      const entry = { worker: this as workerThreads.Worker, exited: false };
      workers.push(entry);
      this.once("exit", () => (entry.exited = true));
    }
  }
  workerThreads.Worker = Spied;
  syncBuiltinESMExports();
  return {
    workers,
    restore() {
      workerThreads.Worker = Original;
      syncBuiltinESMExports();
    },
  };
}

describe("runJob", () => {
  for (const runtime of MODES) {
    const invalid = (pipeline: string, options: { parallelism?: number; maxParallelism?: number } = {}) =>
      runJob(fixtureJob("rt-failures"), { runtime, parallelism: 2, ...options, args: ["--pipeline", pipeline] });

    it(`a job with no sink is refused as empty (${runtime})`, async () => {
      await assert.rejects(invalid("no-sink"), hasCode("WEIR_ERR_EMPTY_JOB", InvalidJobError, /defines no sink/));
    });

    it(`two operators with one uid are refused, both named (${runtime})`, async () => {
      await assert.rejects(invalid("duplicate-uid"), hasCode("WEIR_ERR_DUPLICATE_UID", InvalidJobError, /uid 'twin' is given to both 'first map' and 'second map'/));
    });

    it(`an operator's parallelism above the job's max parallelism is refused (${runtime})`, async () => {
      await assert.rejects(invalid("above-max"), hasCode("WEIR_ERR_PARALLELISM_ABOVE_MAX", InvalidJobError, /'wide map' has parallelism 9, above the job's max parallelism 8/));
    });

    it(`a default parallelism above the max parallelism given in the run options is refused (${runtime})`, async () => {
      await assert.rejects(
        runJob(fixtureJob("rt-operators"), { runtime, parallelism: 5, maxParallelism: 4, args: ["--pipeline", "map"] }),
        hasCode("WEIR_ERR_PARALLELISM_ABOVE_MAX", InvalidJobError, /parallelism 5, above the job's max parallelism 4/),
      );
    });

    it(`a module without a default export is refused with the job module code (${runtime})`, async () => {
      await assert.rejects(runJob(fixtureJob("rt-no-default"), { runtime }), hasCode("WEIR_ERR_JOB_MODULE", JobModuleError, /rt-no-default\.ts' has no default export/));
    });

    it(`a module whose default export was not made by defineJob is refused (${runtime})`, async () => {
      await assert.rejects(runJob(fixtureJob("rt-not-a-job"), { runtime }), hasCode("WEIR_ERR_JOB_MODULE", JobModuleError, /was not made by defineJob/));
    });

    it(`a job file that does not exist is refused with the job module code (${runtime})`, async () => {
      await assert.rejects(runJob("test/fixtures/jobs/rt-missing.ts", { runtime }), hasCode("WEIR_ERR_JOB_MODULE", JobModuleError, /'test\/fixtures\/jobs\/rt-missing\.ts' does not exist/));
    });

    it(`a job that builds a different graph each time is refused as nondeterministic (${runtime})`, async () => {
      await assert.rejects(
        runJob(fixtureJob("rt-nondeterministic"), { runtime, parallelism: 2 }),
        hasCode("WEIR_ERR_NONDETERMINISTIC_JOB", WeirError, /must build the same pipeline every time/),
      );
    });

    it(`aborting the signal of a running job rejects it as cancelled (${runtime})`, { timeout: 30_000 }, async () => {
      const spy = spyOnWorkers();
      try {
        const controller = new AbortController();
        let progressed = false;
        const run = runJob(fixtureJob("rt-failures"), {
          runtime,
          parallelism: 2,
          args: ["--pipeline", "unbounded"],
          signal: controller.signal,
          progressIntervalMs: 10,
          // Cancels once records are seen flowing through the map.
          onProgress: (p) => {
            if (!progressed && p.operators.some((o) => o.name === "Map" && o.recordsOut > 0)) {
              progressed = true;
              controller.abort();
            }
          },
        });
        await assert.rejects(run, hasCode("WEIR_ERR_JOB_CANCELLED", JobCancelledError, /cancelled/));
        assert.equal(progressed, true);
        if (runtime === "threads") {
          assert.equal(spy.workers.length, 2);
          for (const { worker, exited } of spy.workers) {
            assert.equal(exited, true, "every worker thread has exited");
            assert.equal(worker.threadId, -1);
          }
        } else assert.equal(spy.workers.length, 0, "the single-thread runtime starts no workers");
      } finally {
        spy.restore();
      }
    });

    it(`a signal aborted before the job starts cancels it (${runtime})`, async () => {
      await assert.rejects(
        runJob(fixtureJob("rt-failures"), { runtime, parallelism: 2, args: ["--pipeline", "unbounded"], signal: AbortSignal.abort() }),
        hasCode("WEIR_ERR_JOB_CANCELLED", JobCancelledError, /cancelled/),
      );
    });
  }

  it("a cancelled single-thread job closes its functions and sources", async () => {
    const input = new ScriptedInput<number>();
    const closed: string[] = [];
    const controller = new AbortController();
    const source = input.source();
    const job = defineJob((env) => {
      env
        .fromSource({ ...source, createReader: (c) => ({ ...source.createReader(c), close: () => void closed.push("source") }) }, "scripted")
        .map({ map: (x: number) => x, close: () => void closed.push("map") })
        .sinkTo(discardingSink());
    });
    const run = runJob(job, { runtime: "single-thread", parallelism: 1, signal: controller.signal, onStarted: () => controller.abort() });
    await assert.rejects(run, JobCancelledError);
    assert.deepEqual(closed.sort(), ["map", "source"]);
  });

  it("the threads runtime asks for a module path, not a job definition", async () => {
    const job = defineJob((env) => {
      env.fromSource(new ScriptedInput<number>().source(), "s").sinkTo(discardingSink());
    });
    await assert.rejects(runJob(job, { runtime: "threads" }), hasCode("WEIR_ERR_INVALID_ARGUMENT", WeirError, /pass the job's module path/));
  });
});
