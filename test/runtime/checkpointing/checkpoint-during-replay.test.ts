/**
 * A checkpoint taken while a restored task still replays the records an unaligned checkpoint held
 * in flight (Flink's FLIP-547). The keyed count of test/fixtures/jobs/unaligned-backpressure.ts
 * fails once in its slow stage and restores from an unaligned checkpoint with records in flight;
 * its sources stay idle after the restore until the first checkpoint after it (a fault hook), so
 * every record in flight at that checkpoint is a restored one not yet replayed. The job is then
 * cancelled and resumed from that checkpoint: the output is exactly-once only if those records
 * were stored with it.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { JobCancelledError, runJob, type CheckpointStats, type RunOptions } from "../../../src/index.ts";
import { installFaultHooks } from "../../../src/runtime/fault-hooks.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { committedLines, tempDir } from "./checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/unaligned-backpressure.ts", import.meta.url);
const EVENTS = 4000;
const KEYS = 7;

const inFlight = (s: CheckpointStats): number => s.tasks.reduce((sum, t) => sum + (t.inFlightBytes ?? 0), 0);

describe("a checkpoint taken while a restore replays records in flight", () => {
  after(() => installFaultHooks(undefined));

  it("stores the restored records not yet replayed, so a restore from it is exactly-once", { timeout: 180_000 }, async () => {
    installFaultHooks({ pass: () => false, restoredSourceDelayMs: 60_000 });
    const root = tempDir("replay-checkpoint");
    const out = join(root, "out");
    const options = (extra: readonly string[]): RunOptions => ({
      runtime: "single-thread",
      parallelism: 2,
      bufferSize: 64,
      checkpointing: { intervalMs: 40, dir: join(root, "checkpoints"), unaligned: true, onCancel: "retain" },
      args: ["--events", String(EVENTS), "--keys", String(KEYS), "--work", "20000", "--out", out, ...extra],
    });

    const controller = new AbortController();
    const stats = new Map<number, CheckpointStats>();
    let restoredFrom: number | undefined;
    let duringReplay: CheckpointStats | undefined;
    const first = runJob(JOB, {
      ...options(["--fail-at", "1500", "--fail-marker", join(root, "failed")]),
      restartStrategy: "fixed-delay:attempts=1,delay=10ms",
      signal: controller.signal,
      onAttempt: (e) => {
        if (e.restoredCheckpointId !== undefined) restoredFrom = e.restoredCheckpointId;
      },
      onCheckpoint: (s) => {
        if (s.status !== "completed") return;
        stats.set(s.id, s);
        if (restoredFrom !== undefined && s.id > restoredFrom && duringReplay === undefined) {
          duringReplay = s;
          controller.abort();
        }
      },
    });
    await assert.rejects(first, JobCancelledError);
    assert.ok(existsSync(join(root, "failed")), "the slow stage failed once");
    assert.ok(restoredFrom !== undefined && inFlight(stats.get(restoredFrom)!) > 0, "the job restored from a checkpoint with records in flight");
    assert.ok(duringReplay !== undefined && inFlight(duringReplay) > 0, "the first checkpoint after the restore, taken before the sources emitted anything new, stored restored records in flight");

    installFaultHooks(undefined);
    const resumedFrom: number[] = [];
    await runJob(JOB, {
      ...options([]),
      from: "latest",
      onAttempt: (e) => {
        if (e.restoredCheckpointId !== undefined) resumedFrom.push(e.restoredCheckpointId);
      },
    });
    assert.deepEqual(resumedFrom, [duringReplay.id]);
    assert.deepEqual(committedLines(out), expectedLines(EVENTS, KEYS).sort());
  });
});
