/**
 * Custom sources, written as users write them, in a checkpointed job that fails once and restores,
 * in both runtimes: a pull-model split source with many small splits whose enumerator returns its
 * live pending list as its checkpoint, and a source with the reader-per-subtask contract
 * (snapshotState / restoredState). With checkpoints every few milliseconds, the restore gives
 * back exactly the splits (or positions) of the checkpoint: every key's counts are committed once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runJob } from "../../../src/index.ts";
import { committedLines, RUNTIMES, tempDir } from "./checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/ck-custom-sources.ts", import.meta.url);
const EVENTS = 3000;
const KEYS = 10;

/** Key k counts the events k, k + KEYS, …: lines "k,1" … "k,n_k", sorted. */
function expectedCounts(): string[] {
  const lines: string[] = [];
  for (let k = 0; k < KEYS; k++) for (let c = 1; c <= Math.ceil((EVENTS - k) / KEYS); c++) lines.push(`${k},${c}`);
  return lines.sort();
}

describe("custom sources in a checkpointed job that fails once", () => {
  for (const source of ["split", "reader"] as const) {
    for (const runtime of RUNTIMES) {
      it(`the ${source === "split" ? "split source's pending splits and positions" : "reader-per-subtask source's positions"} are restored: every count is committed once (${runtime})`, async () => {
        const root = tempDir(`ck-custom-${source}`);
        const marker = join(root, "failed-once");
        const restored: (number | undefined)[] = [];
        const result = await runJob(JOB, {
          runtime,
          parallelism: 2,
          checkpointing: { intervalMs: 15, dir: join(root, "checkpoints") },
          restartStrategy: "fixed-delay:attempts=3,delay=0",
          onAttempt: (attempt) => restored.push(attempt.restoredCheckpointId),
          args: ["--source", source, "--events", String(EVENTS), "--keys", String(KEYS), "--out", join(root, "out"), "--fail-at", "2100", "--fail-marker", marker],
        });
        assert.ok(existsSync(marker), "the failure was injected");
        assert.equal(result.info.restarts, 1);
        assert.ok(restored[1] !== undefined, "the second attempt restored a checkpoint");
        assert.deepEqual(committedLines(join(root, "out")), expectedCounts());
      });
    }
  }
});
