/**
 * Runs the crash-test kit on an example job in a directory of its own, removed afterwards, and
 * keeps what one sink committed in the kit's reference run, for the test to check it; and the
 * checks every example's report must pass.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { crashTest, describeRun, type CrashTestOptions, type CrashTestReport } from "../../src/testing/index.ts";

type Options = Omit<CrashTestOptions, "workDir" | "onReference" | "args">;

export async function crashTestExample(job: URL, sinkId: string, args: readonly string[], options: Options): Promise<{ report: CrashTestReport; reference: unknown[] }> {
  const workDir = mkdtempSync(join(tmpdir(), `weir-${basename(job.pathname, ".ts")}-`));
  let reference: unknown[] = [];
  try {
    const report = await crashTest(job, {
      ...options,
      workDir,
      onReference: (id, records) => {
        if (id === sinkId) reference = [...records];
      },
      args,
    });
    return { report, reference };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Every fault the kit injects inside the process (all but `kill`). */
export const IN_PROCESS_FAULTS: NonNullable<CrashTestOptions["faults"]> = ["user", "snapshot-sync", "snapshot-async", "before-commit", "lose-ack"];

/** The report of faulted runs in the job's process: `sinkId` checked exactly-once, every run passed, one at least recovered. */
export function assertRunsPassed(report: CrashTestReport, sinkId: string): void {
  const describeAll = () => report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n");
  assert.equal(report.referenceProblem, undefined);
  assert.deepEqual(report.sinks.map((s) => [s.id, s.check]), [[sinkId, "exactly-once"]]);
  for (const [i, r] of report.runs.entries()) assert.ok(r.ok, describeRun(r, i + 1, report.runs.length));
  assert.ok(report.runs.some((r) => r.recoveries >= 1), describeAll());
}

/** The report of one run killed with kill -9: the kill fired, the job resumed, and the run passed. */
export function assertKilledAndResumed(report: CrashTestReport): void {
  const r = report.runs[0]!;
  assert.ok(r.faultsFired >= 1 && r.recoveries >= 1, describeRun(r, 1, 1));
  assert.ok(report.ok, describeRun(r, 1, 1));
}
