/**
 * Operator state through the real runtime, in both runtimes: a CheckpointedFunction's split and
 * union list states are captured at every checkpoint (after its snapshotState brought them up to
 * date) and, after a failure, given back redistributed (test/fixtures/jobs/ck-operator-state.ts
 * checks the union state itself), so the committed output is that of a run without the failure.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, type AttemptEvent } from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-operator-state.ts";
import { committedLines, countRunDirs, RUNTIMES, uncommittedFiles } from "./checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/ck-operator-state.ts", import.meta.url);

describe("operator state through checkpoints", () => {
  for (const runtime of RUNTIMES) {
    it(`a function that throws once restarts with its split and union list states restored; the committed output is the failure-free one (${runtime})`, async () => {
      const dirs = countRunDirs("operator-state");
      const events = 6000;
      // The marker holds the failure back until a checkpoint completed, so the restart restores one.
      const marker = join(dirs.root, "failed-once");
      writeFileSync(marker, "");
      const log = join(dirs.root, "log");
      const attempts: AttemptEvent[] = [];
      let released = false;
      const result = await runJob(JOB, {
        runtime,
        parallelism: 2,
        checkpointing: { dir: dirs.checkpoints, intervalMs: 40 },
        restartStrategy: "fixed-delay:attempts=3,delay=0",
        onAttempt: (e) => attempts.push(e),
        onCheckpoint: (stats) => {
          if (stats.status !== "completed" || released) return;
          released = true;
          rmSync(marker);
        },
        args: ["--out", dirs.out, "--events", String(events), "--rate", "2000", "--fail-at", "0", "--fail-marker", marker, "--log", log],
      });
      assert.ok(existsSync(marker), "the failure was injected");
      assert.equal(result.info.restarts, 1);
      const restoredId = attempts[1]!.restoredCheckpointId;
      assert.ok(restoredId !== undefined, "the restart restored a checkpoint");
      assert.deepEqual(committedLines(dirs.out), expectedLines(events, 2));
      assert.deepEqual(uncommittedFiles(dirs.out), []);

      const lines = readFileSync(log, "utf8").split("\n");
      assert.equal(lines.filter((l) => l === "init false undefined 0").length, 2, "both instances started empty first");
      assert.equal(lines.filter((l) => l === `init true ${restoredId} 1`).length, 2, "each restored instance got its one count back");
      const snapshots = lines.filter((l) => / snapshot /.test(l)).map((l) => l.split(" ").map(Number));
      assert.ok(snapshots.length >= 2);
      for (const [, , id, timestamp] of snapshots) assert.ok(id! >= 1 && timestamp! > 0, "snapshotState hears the checkpoint id and timestamp");
    });
  }
});
