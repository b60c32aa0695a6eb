import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RunReporter } from "../../src/cli/run-reporter.ts";
import { CheckpointStatsTracker } from "../../src/checkpoint/coordinator/stats.ts";
import { checkpointId } from "../../src/checkpoint/storage/checkpoint-id.ts";
import { JobResult } from "../../src/runtime/job-result.ts";

describe("RunReporter", () => {
  it("counts a checkpoint lost to a task failure as failed in the summary, and one subsumed or stopped as aborted only", () => {
    let err = "";
    const reporter = new RunReporter({ write: (text: string) => void (err += text) }, "job.ts", "single-thread", false);
    const tracker = new CheckpointStatsTracker();
    const ended: [number, "completed" | Parameters<CheckpointStatsTracker["reportFailed"]>[2]][] = [
      [1, "completed"],
      [2, { kind: "task-failure" }],
      [3, { kind: "subsumed", by: checkpointId(4) }],
      [4, "completed"],
      [5, { kind: "job-stopping" }],
    ];
    for (const [n, outcome] of ended) {
      const id = checkpointId(n);
      tracker.reportTriggered(id, "periodic", n * 100, 1);
      if (outcome === "completed") tracker.reportCompleted(id, n * 100 + 10);
      else tracker.reportFailed(id, n * 100 + 10, outcome);
      reporter.callbacks.onCheckpoint!(tracker.get(id)!);
    }
    reporter.finished(new JobResult(1000, [], new Map(), { jobId: "job-1", restarts: 1, checkpoints: tracker.snapshot() }));
    assert.match(err, /checkpoint 2 failed after 10ms: a task failed\n/);
    assert.match(err, /job finished in 1\.0s \(job-1\): 1 restart, 2 checkpoints completed, 1 failed\n/);
  });
});
