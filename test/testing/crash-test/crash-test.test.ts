import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun } from "../../../src/testing/index.ts";
import { parseOutputKey } from "../../../src/testing/crash-test/compare-outputs.ts";

const JOB = new URL("../../fixtures/jobs/crash-lines.ts", import.meta.url);

async function inWorkDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "weir-crash-test-test-"));
  try {
    return await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("crashTest", () => {
  it("passes a job whose committing sink holds under a user-function exception, and lists the sink without read-back as not compared", { timeout: 120_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(JOB, { runs: 1, seed: 2, faults: ["user"], runtime: "single-thread", key: parseOutputKey("csv:0"), workDir, args: ["--events", "3000", "--rate", "6000", "--out", "{run}/out"] }),
    );
    assert.equal(report.referenceProblem, undefined);
    assert.deepEqual(
      report.sinks.map((s) => [s.id, s.check, s.records]),
      [
        ["plain-text", "not compared: the sink gives no guarantee across failures", undefined],
        ["committed", "exactly-once", 3000],
      ],
    );
    assert.equal(report.runs.length, 1);
    assert.ok(report.runs[0]!.faultsFired >= 1, describeRun(report.runs[0]!, 1, 1));
    assert.ok(report.ok, describeRun(report.runs[0]!, 1, 1));
  });

  it("catches a sink that commits what a restarted job replays, naming the sink, the key and the duplicate, with a replay command", { timeout: 120_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(JOB, {
        runs: 1,
        seed: 5,
        faults: ["user"],
        runtime: "single-thread",
        checkpointIntervalMs: 50,
        key: parseOutputKey("csv:0"),
        workDir,
        replayCommand: (seed) => `replay ${seed}`,
        args: ["--sink", "leaky", "--events", "3000", "--rate", "6000", "--out", "{run}/out"],
      }),
    );
    assert.equal(report.ok, false);
    const run = report.runs[0]!;
    assert.equal(run.ok, false);
    assert.equal(run.difference?.sink, "leaky", describeRun(run, 1, 1));
    assert.match(run.difference!.key ?? "", /^\d+$/);
    assert.equal(run.replay, "replay 5");
    assert.match(describeRun(run, 1, 1), /FAIL[\s\S]*\n {2}sink 'leaky', key \d+: expected .+, got .+\n {2}replay: replay 5/);
  });

  it("says a job is not deterministic when two runs without faults commit different output, and names the sink", { timeout: 120_000 }, async () => {
    const report = await inWorkDir((workDir) => crashTest(JOB, { runs: 1, runtime: "single-thread", workDir, args: ["--sink", "random", "--events", "200", "--out", "{run}/out"] }));
    assert.equal(report.ok, false);
    assert.deepEqual(report.runs, []);
    assert.match(report.referenceProblem ?? "", /^the job is not deterministic: two runs without faults committed different output; sink 'committed': expected /);
  });

  it("resumes a job killed with kill -9 from its latest checkpoint, and the output holds", { timeout: 180_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(JOB, { runs: 1, seed: 1, faults: ["kill"], parallelism: 2, key: parseOutputKey("csv:0"), workDir, args: ["--events", "6000", "--rate", "6000", "--out", "{run}/out"] }),
    );
    const run = report.runs[0]!;
    assert.ok(run.faultsFired >= 1 && run.recoveries >= 1, describeRun(run, 1, 1));
    assert.ok(report.ok, describeRun(run, 1, 1));
  });
});
