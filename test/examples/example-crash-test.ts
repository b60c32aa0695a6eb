/** Runs an example job under the crash-test kit in a temporary work directory, keeping what one sink committed in the reference run. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, type CrashTestReport } from "../../src/testing/index.ts";

export async function crashTestExample(
  job: URL,
  sinkId: string,
  args: readonly string[],
  options: Parameters<typeof crashTest>[1],
): Promise<{ report: CrashTestReport; reference: unknown[] }> {
  const workDir = mkdtempSync(join(tmpdir(), "weir-example-crash-test-"));
  let reference: unknown[] = [];
  try {
    const report = await crashTest(job, {
      ...options,
      workDir,
      onReference: (id, records) => {
        if (id === sinkId) reference = [...records];
      },
      args: [...args],
    });
    return { report, reference };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
