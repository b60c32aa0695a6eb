import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "../../../src/cli/args.ts";
import { RUN_OPTIONS } from "../../../src/cli/run-command.ts";
import { inProcessRunOptions, weirRunArgs, type RunSettings } from "../../../src/testing/crash-test/job-runs.ts";
import { faultPlan } from "../../../src/testing/crash-test/fault-plan.ts";

const SETTINGS: RunSettings = {
  job: "job.ts",
  runtime: "threads",
  parallelism: 2,
  mode: "exactly-once",
  unaligned: { alignedCheckpointTimeoutMs: 0 },
  bufferSize: undefined,
  stateBackend: undefined,
  incrementalCheckpoints: undefined,
  args: ["--out", "{run}/out"],
};
const PLAN = faultPlan(1, ["kill"], { recordsPerThread: 1000, checkpointIntervalMs: 50 });

describe("the crash-test kit's runs", () => {
  it("run the job in this process with buffer debloating when the settings ask for it, towards the target given", () => {
    const on = inProcessRunOptions({ ...SETTINGS, bufferDebloat: { targetMs: 200 } }, "/runs/1", PLAN, 50);
    assert.equal(on.bufferDebloat, true);
    assert.equal(on.bufferDebloatTargetMs, 200);
    const jobsTarget = inProcessRunOptions({ ...SETTINGS, bufferDebloat: { targetMs: undefined } }, "/runs/1", PLAN, 50);
    assert.equal(jobsTarget.bufferDebloat, true);
    assert.equal(jobsTarget.bufferDebloatTargetMs, undefined);
    const off = inProcessRunOptions(SETTINGS, "/runs/1", PLAN, 50);
    assert.equal(off.bufferDebloat, undefined, "the job's own setting holds");
    assert.equal(on.checkpointing?.unaligned, true);
  });

  it("run a killed job's processes with buffer debloating, as weir run reads the flags", () => {
    const argv = weirRunArgs({ ...SETTINGS, bufferDebloat: { targetMs: 200 } }, "/runs/1", PLAN, { from: "latest" });
    assert.equal(argv[0], "run");
    const parsed = parseArgs(argv.slice(1), RUN_OPTIONS);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.args.options.get("buffer-debloat"), true);
    assert.equal(parsed.args.options.get("buffer-debloat-target"), 200);
    assert.equal(parsed.args.options.get("unaligned"), true);
    const off = parseArgs(weirRunArgs(SETTINGS, "/runs/1", PLAN, undefined).slice(1), RUN_OPTIONS);
    assert.ok(off.ok);
    assert.equal(off.args.options.get("buffer-debloat"), undefined);
  });
});
