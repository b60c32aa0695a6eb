/**
 * Runs an example job under the crash-test kit in a temporary directory, keeping what the
 * reference run committed to one sink, so a test can check the reference against what the job
 * must compute as well as the faulted runs against the reference.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun, type CrashTestOptions, type CrashTestReport } from "../../src/testing/index.ts";

export async function crashTestExample(
  job: URL,
  sinkId: string,
  options: CrashTestOptions,
): Promise<{ report: CrashTestReport; reference: unknown[] }> {
  const workDir = mkdtempSync(join(tmpdir(), "weir-example-crash-"));
  let reference: unknown[] = [];
  try {
    const report = await crashTest(job, {
      ...options,
      workDir,
      onReference: (sink, records) => {
        if (sink === sinkId) reference = [...records];
      },
    });
    return { report, reference };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Every faulted run committed what the reference did, and at least one of them recovered from a fault. */
export function assertRecovered(report: CrashTestReport): void {
  assert.equal(report.referenceProblem, undefined);
  const described = report.runs.map((r, i) => describeRun(r, i + 1, report.runs.length)).join("\n");
  for (const r of report.runs) assert.ok(r.ok, described);
  assert.ok(report.runs.some((r) => r.recoveries >= 1), described);
}
