import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeAttempt, describeCheckpoint, describeRestart, describeStateRestore, isAbortedByStop, isCheckpointFailure } from "../../src/cli/checkpoint-events.ts";
import type { CheckpointFailureReason } from "../../src/checkpoint/coordinator/failure-reason.ts";
import type { CheckpointStats } from "../../src/checkpoint/coordinator/stats.ts";
import { taskId } from "../../src/checkpoint/coordinator/task-id.ts";
import { checkpointId } from "../../src/checkpoint/storage/checkpoint-id.ts";
import { JobFailedError } from "../../src/core/errors.ts";

function stats(id: number, status: CheckpointStats["status"], fields: { durationMs?: number; bytes?: number; failure?: CheckpointFailureReason } = {}): CheckpointStats {
  const triggerTime = 1_000;
  const durationMs = fields.durationMs;
  return {
    id: checkpointId(id),
    status,
    cause: "periodic",
    triggerTime,
    endTime: durationMs === undefined ? undefined : triggerTime + durationMs,
    durationMs,
    bytes: fields.bytes ?? 0,
    acknowledgedTasks: 0,
    totalTasks: 2,
    tasks: [],
    failure: fields.failure,
  };
}

describe("describeCheckpoint", () => {
  it("gives a completed checkpoint's id, duration and size", () => {
    assert.equal(describeCheckpoint(stats(3, "completed", { durationMs: 31, bytes: 1434 })), "checkpoint 3 completed in 31ms, 1.4 KiB\n");
    assert.equal(describeCheckpoint(stats(12, "completed", { durationMs: 4200, bytes: 512 })), "checkpoint 12 completed in 4.2s, 512 B\n");
  });

  it("gives the reason of a failed checkpoint", () => {
    const expired = stats(4, "failed", { durationMs: 10_000, failure: { kind: "expired", timeoutMs: 10_000 } });
    assert.equal(describeCheckpoint(expired), "checkpoint 4 failed after 10.0s: not every task acknowledged it within the 10000 ms timeout\n");
    const declined = stats(5, "failed", { durationMs: 3, failure: { kind: "declined", taskId: taskId(1, 0), message: "disk full" } });
    assert.equal(describeCheckpoint(declined), "checkpoint 5 failed after 3ms: task 1:0 declined it: disk full\n");
  });

  it("calls a checkpoint that a newer one or the job's stop made useless aborted, not failed", () => {
    const subsumed = stats(6, "failed", { durationMs: 24, failure: { kind: "subsumed", by: checkpointId(7) } });
    assert.equal(describeCheckpoint(subsumed), "checkpoint 6 aborted after 24ms: checkpoint 7 completed first\n");
    assert.equal(isCheckpointFailure(subsumed), false);
  });

  it("calls a checkpoint lost to a task failure failed", () => {
    const lost = stats(6, "failed", { durationMs: 24, failure: { kind: "task-failure" } });
    assert.equal(describeCheckpoint(lost), "checkpoint 6 failed after 24ms: a task failed\n");
    assert.equal(isCheckpointFailure(lost), true);
  });
});

describe("isCheckpointFailure and isAbortedByStop", () => {
  it("count every checkpoint that did not complete, except those a newer one or the job's stop made useless", () => {
    assert.equal(isCheckpointFailure(stats(1, "failed", { failure: { kind: "persist-failed", message: "EACCES" } })), true);
    assert.equal(isCheckpointFailure(stats(1, "failed", { failure: { kind: "task-failure" } })), true);
    assert.equal(isCheckpointFailure(stats(1, "failed", { failure: { kind: "job-failing" } })), true);
    assert.equal(isCheckpointFailure(stats(1, "failed", { failure: { kind: "subsumed", by: checkpointId(2) } })), false);
    assert.equal(isCheckpointFailure(stats(1, "failed", { failure: { kind: "job-stopping" } })), false);
    assert.equal(isCheckpointFailure(stats(1, "completed")), false);
  });

  it("single out checkpoints aborted because the job stops", () => {
    assert.equal(isAbortedByStop(stats(2, "failed", { failure: { kind: "job-stopping" } })), true);
    assert.equal(isAbortedByStop(stats(2, "failed", { failure: { kind: "task-failure" } })), false);
    assert.equal(isAbortedByStop(stats(2, "completed")), false);
  });
});

describe("describeRestart", () => {
  it("gives the delay, the restart's number and the first line of the cause", () => {
    const cause = new JobFailedError({ operator: "Unlucky map", subtaskIndex: 0, parallelism: 1, cause: new Error("record 13 is unlucky\nmore") });
    assert.equal(
      describeRestart({ restart: 2, delayMs: 1000, cause }),
      "restarting in 1.0s (restart 2) after a failure: operator 'Unlucky map' (subtask 1/1) failed: Error: record 13 is unlucky\n",
    );
  });
});

describe("describeAttempt", () => {
  const jobId = "job-20260131-120000-abcdef";

  it("says that an attempt starts from scratch, counting attempts from one", () => {
    assert.equal(describeAttempt({ attempt: 0, jobId, restoredFrom: undefined, restoredCheckpointId: undefined }), `attempt 1 of ${jobId}: starting from scratch\n`);
  });

  it("says which checkpoint an attempt restores, and from where", () => {
    const path = `.weir/checkpoints/${jobId}/chk-5/_metadata`;
    assert.equal(describeAttempt({ attempt: 2, jobId, restoredFrom: path, restoredCheckpointId: 5 }), `attempt 3 of ${jobId}: restoring checkpoint 5 from ${path}\n`);
  });
});

describe("describeStateRestore", () => {
  const report = { worker: 1, checkpointId: 12, startedAt: 1000, endedAt: 1612, processCpuStartMicros: 0, processCpuEndMicros: 0 };

  it("says how many files a thread restored, how many bytes and how fast, and how many came from local copies", () => {
    const files = [
      { operatorId: "count", subtask: 1, bytes: 2048, source: "local" as const },
      { operatorId: "source", subtask: 1, bytes: 1024, source: "local" as const },
    ];
    assert.equal(describeStateRestore({ ...report, files }), "worker 1 restored checkpoint 12: 2 state files, 3.0 KiB in 612ms (2 from local copies)\n");
  });

  it("names each local copy that was not used, and why, under the summary", () => {
    const files = [
      { operatorId: "count", subtask: 1, bytes: 2048, source: "local" as const },
      { operatorId: "sink", subtask: 1, bytes: 100, source: "storage" as const, localCopy: { kind: "corrupt" as const, path: "/l/x.state", problem: "its checksum is a, the checkpoint recorded b" } },
      { operatorId: "map", subtask: 1, bytes: 100, source: "storage" as const, localCopy: { kind: "missing" as const, path: "/l/y.state" } },
    ];
    const lines = describeStateRestore({ ...report, files }).split("\n");
    assert.match(lines[0]!, /: 3 state files, .* \(1 from local copies, 2 from the checkpoint storage\)$/);
    assert.equal(lines[1], "  local copy of operator 'sink' subtask 1 corrupt: its checksum is a, the checkpoint recorded b: read from the checkpoint storage");
    assert.equal(lines[2], "  local copy of operator 'map' subtask 1 missing (/l/y.state): read from the checkpoint storage");
  });

  it("counts state kept inside _metadata apart from files read from the checkpoint storage", () => {
    const files = [
      { operatorId: "count", subtask: 1, bytes: 2048, source: "local" as const },
      { operatorId: "source", subtask: 1, bytes: 51, source: "inline" as const },
    ];
    assert.match(describeStateRestore({ ...report, files }), /: 2 state files, .* \(1 from local copies, 1 inside _metadata\)\n$/);
  });

  it("mentions no local copies when every file came from the storage without local recovery", () => {
    const files = [{ operatorId: "count", subtask: 0, bytes: 10, source: "storage" as const }];
    assert.doesNotMatch(describeStateRestore({ ...report, files }), /local/);
  });
});
