import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { JobArgs } from "../../../src/api/job-args.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { WeirError } from "../../../src/core/errors.ts";
import type { CheckpointMetadata } from "../../../src/checkpoint/storage/checkpoint-metadata.ts";
import { defineJob, runJob } from "../../../src/index.ts";
import { buildJob } from "../../../src/api/define-job.ts";
import { SourceCoordinator, SourceCoordinators } from "../../../src/runtime/master/source-coordinator.ts";
import { fileLinesSource, generatorSource } from "../../../src/sources/index.ts";
import type { SourceSplit, SplitSource } from "../../../src/sources/index.ts";

const env = { args: new JobArgs([]), clock: new ManualClock() };

/** A source whose enumerator throws the string "no partitions" (as user code may) when a reader asks for a split. */
const failingSource: SplitSource<number, SourceSplit, null> = {
  boundedness: "bounded",
  createEnumerator: () => ({
    start: () => {},
    addReader: () => {},
    handleSplitRequest: () => {
      throw "no partitions";
    },
    snapshotState: () => null,
  }),
  restoreEnumerator: () => {
    throw new Error("not restored in this test");
  },
  // A reader that holds no split asks for one when it starts.
  createReader: (context) => generatorSource({ count: 1, generate: (i) => i }).createReader(context),
};

describe("SourceCoordinator", () => {
  it("hands a generator reader its splits when it registers, then says no more come", () => {
    const sent: [string, unknown][] = [];
    const coordinator = new SourceCoordinator("gen", "gen", 4, 2, generatorSource({ count: 10, generate: (i) => i }), undefined, {
      ...env,
      toReader: (taskId, message) => sent.push([taskId, message]),
    });
    coordinator.start();
    coordinator.handle(1, { kind: "register" });
    assert.deepEqual(sent, [
      ["4:1", { kind: "splits", splits: [{ splitId: "1", next: 1, stride: 2, end: 10 }] }],
      ["4:1", { kind: "no-more-splits" }],
    ]);
    assert.deepEqual(coordinator.snapshotState(1), { unassigned: [{ splitId: "0", next: 0, stride: 2, end: 10 }] });
  });

  it("refuses an assignment to a reader that has not registered", () => {
    const coordinator = new SourceCoordinator("files", "files", 0, 2, fileLinesSource("/nonexistent/x.txt"), undefined, { ...env, toReader: () => {} });
    coordinator.start();
    assert.throws(
      () => coordinator.handle(1, { kind: "request" }),
      (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT" && /reader 1 is not registered/.test(e.message),
    );
  });
});

describe("SourceCoordinators", () => {
  it("refuse a checkpoint that holds no enumerator state for a split-based source", async () => {
    const { job } = await buildJob(
      defineJob((e) => {
        e.fromSource(generatorSource({ count: 5, generate: (i) => i }), "numbers").uid("numbers").print();
      }),
      {},
      [],
    );
    const restore = { checkpointId: 7, operators: [], properties: {} } as unknown as CheckpointMetadata;
    const failures: Error[] = [];
    const coordinators = new SourceCoordinators(job, restore, { ...env, toReader: () => {} }, (e) => failures.push(e));
    coordinators.start();
    assert.equal(failures.length, 1);
    assert.ok(failures[0] instanceof WeirError && failures[0].code === "WEIR_ERR_CHECKPOINT_MISMATCH", String(failures[0]));
    assert.match(failures[0].message, /checkpoint 7 holds no enumerator state for the split-based source 'Source: numbers'/);
  });

  it("an enumerator that throws fails the job, naming the source and the thrown value", async () => {
    const job = defineJob((e) => {
      e.fromSource(failingSource, "partitions").print();
    });
    await assert.rejects(runJob(job, { runtime: "single-thread", parallelism: 1, restartStrategy: "none" }), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(String(e.message), /partitions \(split enumerator\)/);
      assert.match(String(e.message), /no partitions/);
      return true;
    });
  });
});
