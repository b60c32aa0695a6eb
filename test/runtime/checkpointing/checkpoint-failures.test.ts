/**
 * Checkpoints that fail, end to end. A checkpoint whose state cannot be written is declined by
 * the task, aborted by the coordinator, and `notifyCheckpointAborted` reaches the functions that
 * listen; the job goes on while the failures in a row stay within `tolerableFailures`, and fails
 * with WEIR_ERR_CHECKPOINT_FAILURES when they exceed it. A snapshot that throws is a task failure:
 * the job restarts.
 *
 * A state write is made to fail by putting a file where the checkpoint's directory belongs,
 * `<dir>/<jobId>/chk-<n>`, before the job starts (the job id is known from `onAttempt`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineJob, discardingSink, elementsSource, generatorSource, ManualClock, runJob, WeirError, type CheckpointStats, type RestartEvent } from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { committedLines, countRunDirs, notifications, RUNTIMES, runCount, tempDir, type CountRunDirs } from "./checkpointing-helpers.ts";

/**
 * Runs the count job for about 0.75 s with checkpoints every 30 ms, of which `blocked` cannot write
 * their state: every state is a file (memory threshold 0), so the tasks' writes fail and they decline.
 */
function runWithBlockedCheckpoints(dirs: CountRunDirs, runtime: "single-thread" | "threads", blocked: readonly number[], tolerableFailures: number, reported: CheckpointStats[]) {
  return runCount(dirs, runtime, ["--events", "1500", "--rate", "2000", "--log", join(dirs.root, "notifications.log")], {
    checkpointing: { intervalMs: 30, tolerableFailures, memoryThreshold: 0 },
    restartStrategy: "none",
    onAttempt: ({ jobId }) => {
      mkdirSync(join(dirs.checkpoints, jobId), { recursive: true });
      for (const id of blocked) writeFileSync(join(dirs.checkpoints, jobId, `chk-${id}`), "not a directory");
    },
    onCheckpoint: (stats) => reported.push(stats),
  });
}

describe("failing checkpoints", () => {
  for (const runtime of RUNTIMES) {
    it(`a declined checkpoint is aborted, its listeners hear so, and a tolerated failure lets the job finish (${runtime})`, async () => {
      const dirs = countRunDirs("ck-declined");
      const reported: CheckpointStats[] = [];
      const result = await runWithBlockedCheckpoints(dirs, runtime, [2, 4], 1, reported);

      const second = reported.find((s) => s.id === 2)!;
      assert.equal(second.status, "failed");
      assert.equal(second.failure?.kind, "declined");
      assert.match(second.failure?.kind === "declined" ? second.failure.message : "", /could not write its state: .*chk-2/);
      assert.ok(reported.some((s) => s.id > 2 && s.status === "completed"), "a later checkpoint completed");
      assert.deepEqual(committedLines(dirs.out), expectedLines(1500, 10).sort(), "the output is complete and exactly once all the same");

      assert.equal(result.info.checkpoints!.counts.failed, reported.filter((s) => s.status === "failed").length);
      const failedIds = reported.filter((s) => s.status === "failed").map((s) => s.id as number);
      const completedIds = reported.filter((s) => s.status === "completed").map((s) => s.id as number);
      assert.ok(failedIds.includes(2));
      assert.ok(failedIds.every((id) => id === 2 || id === 4), `only the blocked checkpoints failed: ${failedIds.join(", ")}`);
      for (const [subtask, heard] of notifications(join(dirs.root, "notifications.log"))) {
        assert.deepEqual(heard.aborted, failedIds, `subtask ${subtask} hears every aborted checkpoint`);
        assert.deepEqual(heard.complete, completedIds, `subtask ${subtask} hears every completed checkpoint`);
      }
      assert.equal(notifications(join(dirs.root, "notifications.log")).size, 2);
    });

    it(`more failures in a row than tolerated fail the job with WEIR_ERR_CHECKPOINT_FAILURES (${runtime})`, async () => {
      const dirs = countRunDirs("ck-intolerable");
      const reported: CheckpointStats[] = [];
      await assert.rejects(runWithBlockedCheckpoints(dirs, runtime, [2, 3], 1, reported), (e: unknown) => {
        assert.ok(e instanceof WeirError, String(e));
        assert.equal(e.code, "WEIR_ERR_CHECKPOINT_FAILURES");
        assert.match(e.message, /checkpoint 3 failed \(task \S+ declined it: .*chk-3.*\): 2 checkpoint failure\(s\) in a row, more than the 1 tolerated/);
        return true;
      });
      assert.deepEqual(
        reported.filter((s) => s.id <= 3).map((s) => `${s.id} ${s.status}`),
        ["1 completed", "2 failed", "3 failed"],
      );
    });
  }

  it("a sink whose snapshot throws fails its task: the checkpoint is aborted and the job restarts from the previous one", async () => {
    let thrown = false;
    const written: number[] = [];
    const job = defineJob((env) => {
      env
        .fromSource(generatorSource({ count: 600, eventsPerSecond: 2000, generate: (i) => i }), "numbers")
        .uid("numbers")
        .sinkTo({
          createWriter: () => ({
            write: (n: number) => void written.push(n),
            snapshotState(checkpointId: number) {
              if (checkpointId >= 2 && !thrown) {
                thrown = true;
                throw new Error(`cannot snapshot checkpoint ${checkpointId}`);
              }
              return null;
            },
          }),
        })
        .name("fragile sink")
        .uid("fragile");
    });
    const reported: CheckpointStats[] = [];
    const restarts: RestartEvent[] = [];
    const result = await runJob(job, {
      runtime: "single-thread",
      checkpointing: { intervalMs: 30, dir: tempDir("ck-snapshot-throws") },
      restartStrategy: "fixed-delay:attempts=2,delay=0",
      onCheckpoint: (s) => reported.push(s),
      onRestart: (e) => restarts.push(e),
    });
    assert.equal(result.info.restarts, 1);
    assert.match(restarts[0]!.cause.message, /fragile sink.*cannot snapshot checkpoint/);
    const failed = reported.filter((s) => s.status === "failed" && s.failure?.kind !== "expired");
    assert.deepEqual(
      failed.map((s) => s.failure?.kind),
      ["task-failure"],
      "the checkpoint is aborted because its task failed, not declined",
    );
    assert.ok(new Set(written).size === 600, "every number reached the sink");
  });

  it("a final checkpoint that fails is retried on the periodic schedule, not at once", async () => {
    const clock = new ManualClock(0);
    const ticking = setInterval(() => clock.advance(5), 1);
    const dir = tempDir("ck-final-retry");
    const reported: CheckpointStats[] = [];
    const job = defineJob((env) => {
      env.fromSource(elementsSource([1, 2, 3]), "numbers").uid("numbers").sinkTo(discardingSink());
    });
    try {
      await runJob(job, {
        runtime: "single-thread",
        clock,
        checkpointing: { intervalMs: 50, tolerableFailures: 10, dir, memoryThreshold: 0 },
        onAttempt: ({ jobId }) => {
          mkdirSync(join(dir, jobId), { recursive: true });
          for (const id of [1, 2, 3, 4]) writeFileSync(join(dir, jobId, `chk-${id}`), "not a directory");
        },
        onCheckpoint: (s) => reported.push(s),
      });
    } finally {
      clearInterval(ticking);
    }
    assert.deepEqual(
      reported.map((s) => `${s.id} ${s.status}${s.failure === undefined ? "" : ` ${s.failure.kind}`}`),
      ["1 failed declined", "2 failed declined", "3 failed declined", "4 failed declined", "5 completed"],
    );
    const gaps = reported.slice(1).map((s, i) => s.triggerTime - reported[i]!.triggerTime);
    assert.ok(
      gaps.every((gap) => gap >= 50),
      `each retry starts one interval after the previous trigger on the job's clock: ${gaps.join(", ")}`,
    );
  });
});
