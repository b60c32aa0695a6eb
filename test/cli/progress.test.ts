import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProgressReporter, summary } from "../../src/cli/progress.ts";

const op = (nodeId: number, name: string, recordsIn: number, recordsOut: number) => ({ nodeId, name, recordsIn, recordsOut });

describe("ProgressReporter", () => {
  it("prints the elapsed time, then one line per operator with counts and the rate since the last report", () => {
    const reporter = new ProgressReporter();
    reporter.report({ elapsedMs: 2000, operators: [op(0, "Source: nexmark", 400_000, 400_000), op(1, "Hot bidders", 350_000, 12)] });
    const block = reporter.report({ elapsedMs: 4000, operators: [op(0, "Source: nexmark", 1_100_000, 1_100_000), op(1, "Hot bidders", 1_050_000, 40)] });
    assert.deepEqual(block.split("\n"), [
      "running for 4.0s",
      "  Source: nexmark   in   1.1M   out   1.1M     350k/s",
      "  Hot bidders       in   1.1M   out     40     350k/s",
      "",
    ]);
  });

  it("measures the first report's rate from the start of the job", () => {
    const block = new ProgressReporter().report({ elapsedMs: 2000, operators: [op(0, "Source", 3000, 3000)] });
    assert.match(block, /1\.5k\/s/);
  });

  it("says so when no operator has reported metrics yet", () => {
    assert.equal(new ProgressReporter().report({ elapsedMs: 500, operators: [] }), "running for 500ms (no metrics reported yet)\n");
  });

  it("shortens very long operator names so the columns stay aligned", () => {
    const block = new ProgressReporter().report({ elapsedMs: 1000, operators: [op(0, "x".repeat(60), 1, 1), op(1, "y", 1, 1)] });
    const [, first, second] = block.split("\n");
    assert.equal(first!.indexOf(" in "), second!.indexOf(" in "));
    assert.ok(first!.includes("…"));
  });
});

describe("summary", () => {
  const info = { jobId: "job-20260131-120000-abcdef", restarts: 0, checkpoints: undefined };
  const counts = (completed: number, failed: number) => ({ counts: { triggered: completed + failed, inProgress: 0, completed, failed }, history: [], latestCompleted: undefined, latestFailed: undefined });

  it("states the duration, the job id, and each operator's records and average input rate", () => {
    assert.deepEqual(summary(2000, [op(0, "Source", 1_000_000, 1_000_000), op(1, "Print", 20, 0)], info).split("\n"), [
      "job finished in 2.0s (job-20260131-120000-abcdef): 0 restarts, no checkpoints",
      "  Source   in   1.0M   out   1.0M     500k/s",
      "  Print    in     20   out      0       10/s",
      "",
    ]);
  });

  it("counts restarts and checkpoints, leaving aborted checkpoints out of the failed ones", () => {
    const first = (text: string) => text.split("\n")[0];
    assert.equal(
      first(summary(1000, [], { ...info, restarts: 1, checkpoints: counts(1, 0) })),
      "job finished in 1.0s (job-20260131-120000-abcdef): 1 restart, 1 checkpoint completed, 0 failed",
    );
    assert.equal(
      first(summary(1000, [], { ...info, restarts: 2, checkpoints: counts(6, 3) }, 1)),
      "job finished in 1.0s (job-20260131-120000-abcdef): 2 restarts, 6 checkpoints completed, 2 failed",
    );
  });
});
