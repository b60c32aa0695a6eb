import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  countsTowardFailureLimit,
  describeFailureReason,
  type CheckpointFailureReason,
} from "../../../src/checkpoint/coordinator/failure-reason.ts";
import { taskId } from "../../../src/checkpoint/coordinator/task-id.ts";
import { id } from "./harness.ts";

const every: CheckpointFailureReason[] = [
  { kind: "expired", timeoutMs: 600_000 },
  { kind: "declined", taskId: taskId(2, 1), message: "no space left" },
  { kind: "persist-failed", message: "Error: EIO" },
  { kind: "subsumed", by: id(7) },
  { kind: "task-failure" },
  { kind: "job-failing" },
  { kind: "job-stopping" },
  { kind: "too-many-concurrent", maxConcurrent: 2 },
  { kind: "not-running", phase: "suspended" },
];

describe("checkpoint failure reasons", () => {
  it("each reason has a description that carries its details", () => {
    assert.deepEqual(every.map(describeFailureReason), [
      "not every task acknowledged it within the 600000 ms timeout",
      "task 2:1 declined it: no space left",
      "its metadata could not be written: Error: EIO",
      "checkpoint 7 completed first",
      "a task failed",
      "too many checkpoints failed in a row, so the job is failing",
      "the job is stopping",
      "2 checkpoint(s) already in progress, the most allowed",
      "checkpointing is suspended",
    ]);
  });

  it("only expired, declined and persist-failed count toward the failure limit", () => {
    assert.deepEqual(
      every.filter(countsTowardFailureLimit).map((r) => r.kind),
      ["expired", "declined", "persist-failed"],
    );
  });
});
