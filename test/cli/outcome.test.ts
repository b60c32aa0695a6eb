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

  it("calls a refusal to restore a checkpoint a refusal, even after the start (on a restart)", () => {
    const codes = [
      "WEIR_ERR_CHECKPOINT_NOT_FOUND",
      "WEIR_ERR_CHECKPOINT_INCOMPLETE",
      "WEIR_ERR_CHECKPOINT_CORRUPT",
      "WEIR_ERR_CHECKPOINT_STATE_MISSING",
      "WEIR_ERR_CHECKPOINT_MISMATCH",
    ] as const;
    for (const code of codes) {
      for (const started of [false, true]) {
        const outcome = classifyError(new WeirError(code, "no"), { started, signal: undefined });
        assert.deepEqual([outcome.kind, exitCodeOf(outcome)], ["refused", 1], `${code}, started: ${started}`);
      }
    }
  });

  it("calls exhausted restarts and too many failed checkpoints failures, even before the start", () => {
    for (const code of ["WEIR_ERR_RESTARTS_EXHAUSTED", "WEIR_ERR_CHECKPOINT_FAILURES"] as const) {
      const outcome = classifyError(new WeirError(code, "gave up"), { started: false, signal: undefined });
      assert.deepEqual([outcome.kind, exitCodeOf(outcome)], ["failed", 1], code);
    }
  });

  it("calls a cancellation because standard output closed output-closed, exit 141, unless a signal came first", () => {
    const closed = classifyError(new JobCancelledError(), { started: true, signal: undefined, stdoutClosed: true });
    assert.deepEqual([closed.kind, exitCodeOf(closed)], ["output-closed", 141]);
    assert.equal(classifyError(new JobCancelledError(), { started: true, signal: "SIGINT", stdoutClosed: true }).kind, "cancelled");
    assert.equal(classifyError(failed(), { started: true, signal: undefined, stdoutClosed: true }).kind, "failed");
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

  it("shows where user code threw under a chain of Weir errors, as when restarts are exhausted", () => {
    const exhausted = new WeirError("WEIR_ERR_RESTARTS_EXHAUSTED", "gave up", { cause: failed() });
    const text = describeOutcome({ kind: "failed", error: exhausted }, 100);
    assert.match(text, /^job failed: gave up\n {2}code: WEIR_ERR_RESTARTS_EXHAUSTED \(see docs\/errors\.md\)\n {2}cause stack:\n {4}at /);
  });

  it("says that a job stopped because its standard output was closed", () => {
    assert.equal(describeOutcome({ kind: "output-closed" }, 1500), "job stopped after 1.5s: its standard output was closed by the reader\n");
  });

  it("says how long a cancelled job ran and which signal stopped it", () => {
    assert.equal(describeOutcome({ kind: "cancelled", signal: "SIGINT" }, 4200), "job cancelled after 4.2s (SIGINT)\n");
    assert.equal(describeOutcome({ kind: "cancelled", signal: "SIGTERM" }, undefined), "job cancelled (SIGTERM)\n");
  });
});
