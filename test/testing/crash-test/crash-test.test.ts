import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashTest, describeRun } from "../../../src/testing/index.ts";
import { parseOutputKey } from "../../../src/testing/crash-test/compare-outputs.ts";

const JOB = new URL("../../fixtures/jobs/crash-lines.ts", import.meta.url);
const STALLING_JOB = new URL("../../fixtures/jobs/crash-stall.ts", import.meta.url);

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

  it("says, when the second reference run finds the first one's output, that each run needs an output of its own with {run}", { timeout: 120_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(JOB, { runs: 1, seed: 1, faults: ["user"], runtime: "single-thread", workDir, args: ["--events", "300", "--out", join(workDir, "same-out")] }),
    );
    assert.equal(report.ok, false);
    assert.match(report.referenceProblem ?? "", /^reference run 2 failed: .*WEIR_ERR_SINK_OUTPUT_EXISTS[\s\S]*output path with \{run\} in it/);
    assert.deepEqual(report.runs, []);
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

  it("stops a run that stalls after its fault, ends its threads, and reports where it stalled and how to replay it", { timeout: 180_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(STALLING_JOB, {
        runs: 1,
        seed: 3,
        faults: ["user"],
        parallelism: 1,
        checkpointIntervalMs: 50,
        runTimeoutMs: 20_000,
        workDir,
        replayCommand: (seed) => `replay ${seed}`,
        args: ["--events", "3000", "--rate", "6000", "--out", "{run}/out", "--stall-after", "{run}/fault-1"],
      }),
    );
    assert.equal(report.referenceProblem, undefined);
    const run = report.runs[0]!;
    const text = describeRun(run, 1, 1);
    assert.equal(run.ok, false, text);
    assert.ok(run.stall !== undefined, text);
    assert.equal(run.stall.timeoutMs, 20_000);
    assert.equal(run.stall.stopped, "its job was cancelled and its threads ended", text);
    assert.match(text, /FAIL[\s\S]*\n {2}stalled: the run did not end within its 20\.0 s timeout; its job was cancelled and its threads ended\n/);
    assert.match(text, /\n {2}job job-\S+: running for \d+\.\d s in attempt 2 \((from scratch|restored from checkpoint \d+)\)\n/);
    assert.match(text, /\n {2}last failure: .*injected fault at record/);
    assert.match(text, /\n {2}pending checkpoint \d+, triggered \d+\.\d s ago: not acknowledged by .*stuck map.*\(1\/1\)/);
    assert.match(text, /\n {2}last fault: fault 1 of \d: exception in a user function at record \d+, fired \d+\.\d s into the run\n/);
    assert.match(text, /\n {2}replay: replay 3$/m);
  });

  it("kills the process of a killed run that stalls after its resume, and reports the status that process last wrote", { timeout: 180_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(STALLING_JOB, {
        runs: 1,
        // Killed at its first commit, which every run reaches (the final checkpoint commits).
        seed: 6,
        faults: ["kill"],
        parallelism: 1,
        checkpointIntervalMs: 50,
        runTimeoutMs: 25_000,
        workDir,
        args: ["--events", "3000", "--rate", "6000", "--out", "{run}/out", "--stall-after", "{run}/fault-1"],
      }),
    );
    const run = report.runs[0]!;
    const text = describeRun(run, 1, 1);
    assert.ok(run.stall !== undefined, text);
    assert.match(text, /\n {2}stalled: the run did not end within its 25\.0 s timeout; its process was killed \(SIGKILL\)/);
    assert.match(text, /\n {2}in process 2 of the run \((resumed with --from latest|started from scratch)\)\n/);
    // Deploying or running, as far as the resumed process got on this machine before the bound.
    assert.match(text, /\n {2}job job-\S+: (deploying|running) for \d+\.\d s in attempt 1 \((from scratch|restored from checkpoint \d+)\)\n {2}last completed checkpoint: /);
    assert.match(text, /\n {2}\(as the job's process wrote it \d+\.\d s before the run was stopped\)\n/);
    assert.match(text, /\n {2}last fault: fault 1 of \d: kill -9 at .+, fired \d+\.\d s into the run\n/);
  });

  it("resumes a job killed with kill -9 from its latest checkpoint, and the output holds", { timeout: 180_000 }, async () => {
    const report = await inWorkDir((workDir) =>
      crashTest(JOB, { runs: 1, seed: 1, faults: ["kill"], parallelism: 2, key: parseOutputKey("csv:0"), workDir, args: ["--events", "6000", "--rate", "6000", "--out", "{run}/out"] }),
    );
    const run = report.runs[0]!;
    assert.ok(run.faultsFired >= 1 && run.recoveries >= 1, describeRun(run, 1, 1));
    assert.ok(report.ok, describeRun(run, 1, 1));
  });

  it("resumes a job killed with kill -9 from its newest checkpoint at another parallelism, and the output holds", { timeout: 300_000 }, async () => {
    // Seeds 3 and 4 kill twice and resume at parallelism 4, then 3 (the job runs at 2).
    const report = await inWorkDir((workDir) =>
      crashTest(JOB, { runs: 2, seed: 3, faults: ["rescale"], parallelism: 2, key: parseOutputKey("csv:0"), workDir, args: ["--events", "6000", "--rate", "6000", "--out", "{run}/out"] }),
    );
    for (const [i, run] of report.runs.entries()) {
      const text = describeRun(run, i + 1, report.runs.length);
      assert.match(run.plan, /resumed at parallelism 4, then 3/);
      assert.ok(run.faultsFired >= 1 && run.recoveries >= 1, text);
      assert.ok(run.ok, text);
    }
  });
});
