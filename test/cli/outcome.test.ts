import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InvalidJobError, JobCancelledError, JobFailedError, JobModuleError, WeirError } from "../../src/core/errors.ts";
import { classifyError, describeOutcome, exitCodeOf } from "../../src/cli/outcome.ts";

const failed = (code?: "WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM") =>
  new JobFailedError({ operator: "Hot bidders", subtaskIndex: 1, parallelism: 2, cause: new Error("boom"), code });

describe("classifyError", () => {
  it("calls a cancellation caused by a signal cancelled, with that signal's exit code", () => {
    const sigint = classifyError(new JobCancelledError(), { started: true, signal: "SIGINT" });
    const sigterm = classifyError(new JobCancelledError(), { started: false, signal: "SIGTERM" });
    assert.deepEqual([sigint.kind, exitCodeOf(sigint)], ["cancelled", 130]);
    assert.deepEqual([sigterm.kind, exitCodeOf(sigterm)], ["cancelled", 143]);
  });

  it("calls errors raised before the job started refusals", () => {
    for (const error of [
      new JobModuleError("job.ts", "no default export"),
      new InvalidJobError("WEIR_ERR_EMPTY_JOB", "no sink"),
      failed("WEIR_ERR_KEYED_STATE_OUTSIDE_KEYED_STREAM"),
      new Error("the build function threw"),
    ]) {
      const outcome = classifyError(error, { started: false, signal: undefined });
      assert.deepEqual([outcome.kind, exitCodeOf(outcome)], ["refused", 1], String(error));
    }
  });

  it("calls a user function or Weir breaking while operators open a failure, not a refusal", () => {
    assert.equal(classifyError(failed(), { started: false, signal: undefined }).kind, "failed");
    assert.equal(classifyError(new WeirError("WEIR_ERR_INTERNAL", "bug"), { started: false, signal: undefined }).kind, "failed");
  });

  it("calls any error after the start a failure, even when a signal was received", () => {
    const outcome = classifyError(failed(), { started: true, signal: "SIGINT" });
    assert.deepEqual([outcome.kind, exitCodeOf(outcome)], ["failed", 1]);
  });
});

describe("describeOutcome", () => {
  it("names the operator, subtask, cause and error code of a failed job", () => {
    const text = describeOutcome({ kind: "failed", error: failed() }, 1200);
    assert.match(text, /^job failed: operator 'Hot bidders' \(subtask 2\/2\) failed: Error: boom\n/);
    assert.match(text, /code: WEIR_ERR_USER_FUNCTION/);
    assert.match(text, /cause stack:\n {4}at /);
  });

  it("prefixes a refusal with 'job refused' and names its code", () => {
    const text = describeOutcome({ kind: "refused", error: new JobModuleError("job.ts", "job file 'job.ts' has no default export") }, undefined);
    assert.equal(text, "job refused: job file 'job.ts' has no default export\n  code: WEIR_ERR_JOB_MODULE (see docs/errors.md)\n");
  });

  it("says how long a cancelled job ran and which signal stopped it", () => {
    assert.equal(describeOutcome({ kind: "cancelled", signal: "SIGINT" }, 4200), "job cancelled after 4.2s (SIGINT)\n");
    assert.equal(describeOutcome({ kind: "cancelled", signal: "SIGTERM" }, undefined), "job cancelled (SIGTERM)\n");
  });
});
