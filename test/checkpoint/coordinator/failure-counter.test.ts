import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConsecutiveFailureCounter } from "../../../src/checkpoint/coordinator/failure-counter.ts";
import type { CheckpointFailureReason } from "../../../src/checkpoint/coordinator/failure-reason.ts";
import { id } from "./harness.ts";

const expired: CheckpointFailureReason = { kind: "expired", timeoutMs: 1 };

describe("ConsecutiveFailureCounter", () => {
  it("tolerates up to the limit and reports the failure that exceeds it", () => {
    const counter = new ConsecutiveFailureCounter(2);
    assert.deepEqual(
      [1, 2, 3].map((n) => counter.onFailure(id(n), expired)),
      [
        { kind: "tolerated", consecutive: 1 },
        { kind: "tolerated", consecutive: 2 },
        { kind: "exceeded", consecutive: 3 },
      ],
    );
  });

  it("starts over after exceeding the limit", () => {
    const counter = new ConsecutiveFailureCounter(0);
    assert.equal(counter.onFailure(id(1), expired).kind, "exceeded");
    assert.equal(counter.consecutive, 0);
    assert.equal(counter.onFailure(id(2), expired).kind, "exceeded");
  });

  it("counts each checkpoint once", () => {
    const counter = new ConsecutiveFailureCounter(5);
    counter.onFailure(id(1), expired);
    assert.deepEqual(counter.onFailure(id(1), { kind: "persist-failed", message: "x" }), { kind: "not-counted" });
    assert.equal(counter.consecutive, 1);
  });

  it("does not count a failure of a checkpoint older than the newest completed one", () => {
    const counter = new ConsecutiveFailureCounter(5);
    counter.onSuccess(id(4));
    assert.deepEqual(counter.onFailure(id(3), expired), { kind: "not-counted" });
    assert.deepEqual(counter.onFailure(id(5), expired), { kind: "tolerated", consecutive: 1 });
  });

  it("is reset by a completion, but not by the completion of an older checkpoint", () => {
    const counter = new ConsecutiveFailureCounter(5);
    counter.onSuccess(id(4));
    counter.onFailure(id(5), expired);
    counter.onSuccess(id(3));
    assert.equal(counter.consecutive, 1);
    counter.onSuccess(id(6));
    assert.equal(counter.consecutive, 0);
  });

  it("ignores reasons that are not failures of checkpointing", () => {
    const counter = new ConsecutiveFailureCounter(0);
    const ignored: CheckpointFailureReason[] = [
      { kind: "subsumed", by: id(9) },
      { kind: "task-failure" },
      { kind: "job-failing" },
      { kind: "job-stopping" },
      { kind: "too-many-concurrent", maxConcurrent: 1 },
      { kind: "not-running", phase: "stopped" },
    ];
    ignored.forEach((reason, i) => assert.deepEqual(counter.onFailure(id(i + 1), reason), { kind: "not-counted" }, reason.kind));
  });
});
