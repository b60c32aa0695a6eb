import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ErrorCodes, isRetryable, WeirError, type ErrorCode } from "../../../src/core/errors.ts";
import type { RestartStrategy } from "../../../src/recovery/restart-strategy.ts";
import { decideAfterFailure } from "../../../src/runtime/master/restart-loop.ts";

/** A strategy that allows `allowed` restarts, 10 ms apart, and records what it was asked. */
function strategy(allowed: number): RestartStrategy & { asked: number } {
  return {
    asked: 0,
    onFailure(): ReturnType<RestartStrategy["onFailure"]> {
      this.asked++;
      return this.asked <= allowed ? { kind: "restart", delayMs: 10, attempt: this.asked } : { kind: "fail", reason: "no restarts left" };
    },
  };
}

describe("decideAfterFailure", () => {
  it("restarts after a user function threw, even a string, when the strategy allows", () => {
    assert.deepEqual(decideAfterFailure(new Error("boom"), strategy(1), 0, true), { kind: "restart", delayMs: 10 });
    assert.deepEqual(decideAfterFailure(new WeirError("WEIR_ERR_USER_FUNCTION", "threw 'oops'"), strategy(1), 0, true), { kind: "restart", delayMs: 10 });
  });

  it("fails at once with the error itself when its code is not retryable, without asking the strategy", () => {
    const s = strategy(5);
    const error = new WeirError("WEIR_ERR_CHECKPOINT_MISMATCH", "another graph");
    assert.deepEqual(decideAfterFailure(error, s, 0, true), { kind: "fail", error });
    assert.equal(s.asked, 0);
  });

  it("fails with WEIR_ERR_RESTARTS_EXHAUSTED when the strategy refuses, keeping the cause", () => {
    const error = new Error("boom");
    const next = decideAfterFailure(error, strategy(0), 0, true);
    assert.equal(next.kind, "fail");
    const failed = next.kind === "fail" ? next.error : undefined;
    assert.ok(failed instanceof WeirError && failed.code === "WEIR_ERR_RESTARTS_EXHAUSTED");
    assert.match(failed.message, /boom \(not restarted: no restarts left\)/);
    assert.equal(failed.cause, error);
  });

  it("fails with the error itself when the job has no restart strategy", () => {
    const error = new Error("boom");
    assert.deepEqual(decideAfterFailure(error, strategy(0), 0, false), { kind: "fail", error });
  });
});

describe("retryable error codes", () => {
  it("docs/errors.md lists exactly the codes that are not retryable", () => {
    const text = readFileSync("docs/errors.md", "utf8");
    const section = text.slice(text.indexOf("<!-- not-retryable"), text.indexOf("\n\n", text.indexOf("<!-- not-retryable")));
    const listed = [...section.matchAll(/^- `(WEIR_ERR_[A-Z_]+)`$/gm)].map((m) => m[1]);
    const notRetryable = (Object.keys(ErrorCodes) as ErrorCode[]).filter((code) => !isRetryable(code));
    assert.deepEqual([...listed].sort(), [...notRetryable].sort());
  });
});
