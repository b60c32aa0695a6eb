/**
 * Recovery through the real runtime, in both runtimes: a job cancelled with its checkpoints
 * retained resumes with `from: "latest"` where its last checkpoint left off (keyed state and
 * source positions continue, and the committed output of both runs is that of a run without the
 * cancellation); a job whose function throws once restarts in-process from its latest checkpoint
 * and commits the failure-free output (exactly-once), or at least all of it (at-least-once).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FileCheckpointStorage } from "../../../src/checkpoint/storage/index.ts";
import { JobCancelledError, type AttemptEvent, type CheckpointStats, type RestartEvent } from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { checkpointIds, committedLines, countRunDirs, RUNTIMES, runCount, uncommittedFiles } from "./checkpointing-helpers.ts";

const sorted = (lines: readonly string[]): string[] => [...lines].sort();

describe("resuming and restarting from checkpoints", () => {
  for (const runtime of RUNTIMES) {
    it(`a cancelled job resumed from its latest retained checkpoint continues keyed state and source positions (${runtime})`, async () => {
      const dirs = countRunDirs("ck-resume");
      const events = 3000;
      const controller = new AbortController();
      const completedInFirstRun: number[] = [];
      const first = runCount(dirs, runtime, ["--events", String(events), "--rate", "2000"], {
        checkpointing: { intervalMs: 40, onCancel: "retain" },
        signal: controller.signal,
        onCheckpoint: (stats: CheckpointStats) => {
          if (stats.status !== "completed") return;
          completedInFirstRun.push(stats.id);
          if (stats.id >= 2) controller.abort();
        },
      });
      await assert.rejects(first, JobCancelledError);
      const abortedAt = completedInFirstRun.find((id) => id >= 2)!;
      assert.ok(abortedAt !== undefined);
      const committedBefore = committedLines(dirs.out);
      assert.ok(committedBefore.length < events, "the first run was cancelled before its end");

      const attempts: AttemptEvent[] = [];
      const second = await runCount(dirs, runtime, ["--events", String(events)], { checkpointing: { intervalMs: 40 }, from: "latest", onAttempt: (e) => attempts.push(e) });
      assert.equal(attempts.length, 1);
      const restoredId = attempts[0]!.restoredCheckpointId;
      assert.ok(restoredId !== undefined && restoredId >= abortedAt, `restored checkpoint ${restoredId}, cancelled after ${abortedAt}`);
      assert.equal(second.info.jobId, attempts[0]!.jobId, "a resumed job keeps its job id");
      assert.ok(
        second.info.checkpoints!.history.every((s) => s.id > restoredId),
        "checkpoint ids continue after the restored one",
      );

      assert.deepEqual(committedLines(dirs.out), sorted(expectedLines(events, 10)), "both runs together commit each line once");
      assert.deepEqual(uncommittedFiles(dirs.out), []);
      const emitted = second.operators.find((o) => o.name.includes("events"))?.recordsOut;
      assert.ok(emitted !== undefined && emitted < events, `the resumed sources emitted ${emitted} of ${events} events: they did not start over`);
    });

    for (const mode of ["exactly-once", "at-least-once"] as const) {
      it(`a function that throws once restarts the job from its latest checkpoint; the ${mode} output ${mode === "exactly-once" ? "equals" : "contains"} the failure-free output (${runtime})`, async () => {
        const dirs = countRunDirs(`ck-restart-${mode}`);
        const events = 1200;
        const marker = join(dirs.root, "failed-once");
        const restarts: RestartEvent[] = [];
        const attempts: AttemptEvent[] = [];
        const completedBeforeRestart: number[] = [];
        const result = await runCount(dirs, runtime, ["--events", String(events), "--rate", "2400", "--fail-at", "700", "--fail-marker", marker], {
          checkpointing: { intervalMs: 40, mode },
          restartStrategy: "fixed-delay:attempts=3,delay=0",
          onCheckpoint: (stats) => {
            if (stats.status === "completed" && restarts.length === 0) completedBeforeRestart.push(stats.id);
          },
          onRestart: (e) => restarts.push(e),
          onAttempt: (e) => attempts.push(e),
        });
        assert.ok(existsSync(marker), "the failure was injected");
        assert.equal(result.info.restarts, 1);
        assert.equal(restarts.length, 1);
        assert.match(restarts[0]!.cause.message, /injected failure at event 700/);
        assert.deepEqual(attempts.map((a) => a.attempt), [0, 1]);
        assert.equal(attempts[0]!.restoredCheckpointId, undefined);
        const newestBefore = completedBeforeRestart.at(-1);
        if (newestBefore !== undefined) {
          const restored = attempts[1]!.restoredCheckpointId;
          assert.ok(restored !== undefined && restored >= newestBefore, `attempt 1 restored ${restored}; ${newestBefore} had completed`);
        }

        const expected = sorted(expectedLines(events, 10));
        const committed = committedLines(dirs.out);
        if (mode === "exactly-once") {
          assert.deepEqual(committed, expected);
        } else {
          const present = new Set(committed);
          const missing = expected.filter((line) => !present.has(line));
          assert.deepEqual(missing, [], "no expected line is lost");
        }
        assert.deepEqual(uncommittedFiles(dirs.out), []);
        assert.ok(checkpointIds(dirs.checkpoints, result.info.jobId).length >= 1);
      });
    }
  }
});

describe("shared files an earlier run left unreferenced", () => {
  it("are deleted when the job is resumed, while the files of the checkpoint it resumes stay and restore", async () => {
    const dirs = countRunDirs("ck-shared-leak");
    const events = 3000;
    const controller = new AbortController();
    let jobId: string | undefined;
    const first = runCount(dirs, "single-thread", ["--events", String(events), "--rate", "2000"], {
      incrementalCheckpoints: true,
      checkpointing: { intervalMs: 40, onCancel: "retain" },
      signal: controller.signal,
      onAttempt: (e) => (jobId = e.jobId),
      onCheckpoint: (stats: CheckpointStats) => {
        if (stats.status === "completed" && stats.id >= 2) controller.abort();
      },
    });
    await assert.rejects(first, JobCancelledError);
    const shared = join(dirs.checkpoints, jobId!, "shared");
    const latest = (await new FileCheckpointStorage({ jobId: jobId!, root: dirs.checkpoints }).latest())!;
    const referenced = [
      ...new Set(latest.operators.flatMap((o) => o.subtasks.flatMap((s) => s.state.map((h) => h.path))).filter((p) => dirname(p) === shared).map((p) => basename(p))),
    ].sort();
    assert.ok(referenced.length > 0, "the incremental checkpoints wrote shared files");
    // As an aborted checkpoint's changes or a base materialised after the last checkpoint leave them.
    const leaked = ["count-per-key-0-0123456789abcdef.state", ".count-per-key-1-0123456789abcdef.state.0f0f.tmp"];
    for (const name of leaked) writeFileSync(join(shared, name), "unreferenced");

    let restoredId: number | undefined;
    let sharedAtStart: string[] = [];
    await runCount(dirs, "single-thread", ["--events", String(events)], {
      incrementalCheckpoints: true,
      checkpointing: { intervalMs: 60_000 },
      from: "latest",
      onAttempt: (e) => {
        restoredId = e.restoredCheckpointId;
        sharedAtStart = readdirSync(shared).sort();
      },
    });
    assert.ok(restoredId !== undefined);
    assert.deepEqual(sharedAtStart, referenced, "the leaked files are gone before the run starts; every referenced one is there");
    assert.deepEqual(committedLines(dirs.out), sorted(expectedLines(events, 10)), "the resumed run restored its state from them");
  });
});
