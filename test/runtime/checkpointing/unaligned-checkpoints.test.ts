/**
 * Unaligned checkpoints in whole jobs, under back-pressure: a keyed count feeds a slow stage
 * (test/fixtures/jobs/unaligned-backpressure.ts), so the channels between them are full whenever
 * a checkpoint starts. Each stage logs how many records it had taken in when it snapshotted. An
 * aligned checkpoint's slow stage snapshots only after taking in every record the count emitted
 * before its barrier; an unaligned one snapshots while those records are still queued, and they
 * are stored with the checkpoint instead. A restore replays them exactly once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, type CheckpointStats, type RunOptions } from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { committedLines, tempDir } from "./checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/unaligned-backpressure.ts", import.meta.url);
const EVENTS = 4000;
const KEYS = 7;

/** Per stage ("count", "slow"), per checkpoint: the records all its subtasks had taken in at the snapshot. */
function takenIn(dir: string): Map<string, Map<number, number>> {
  const byStage = new Map<string, Map<number, number>>();
  if (!existsSync(dir)) return byStage;
  for (const file of readdirSync(dir)) {
    const stage = file.split("-")[0]!;
    let perCheckpoint = byStage.get(stage);
    if (perCheckpoint === undefined) byStage.set(stage, (perCheckpoint = new Map()));
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (line === "") continue;
      const [id, n] = line.split(" ").map(Number) as [number, number];
      perCheckpoint.set(id, (perCheckpoint.get(id) ?? 0) + n);
    }
  }
  return byStage;
}

const inFlight = (s: CheckpointStats): number => s.tasks.reduce((sum, t) => sum + (t.inFlightBytes ?? 0), 0);
/** Vertex 2 is the slow stage (with the sink chained to it): source 0, keyed count 1. */
const SLOW_STAGE_TASK = /^2:/;
/** The bytes in flight stored by the slow stage's tasks: the count's records queued at its inputs. */
const inFlightAtSlowStage = (s: CheckpointStats): number => s.tasks.reduce((sum, t) => sum + (SLOW_STAGE_TASK.test(String(t.taskId)) ? (t.inFlightBytes ?? 0) : 0), 0);

async function run(unaligned: boolean, extra: readonly string[] = [], options: Partial<RunOptions> = {}) {
  const root = tempDir(unaligned ? "unaligned" : "aligned");
  const out = join(root, "out");
  const snapshots = join(root, "snapshots");
  mkdirSync(snapshots);
  const stats: CheckpointStats[] = [];
  await runJob(JOB, {
    runtime: "single-thread",
    parallelism: 2,
    bufferSize: 16,
    checkpointing: { intervalMs: 40, dir: join(root, "checkpoints"), ...(unaligned ? { unaligned: true } : {}) },
    args: ["--events", String(EVENTS), "--keys", String(KEYS), "--work", "20000", "--out", out, "--snapshots", snapshots, ...extra],
    onCheckpoint: (s) => stats.push(s),
    ...options,
  });
  return { out, stats: stats.filter((s) => s.status === "completed"), taken: takenIn(snapshots), root };
}

describe("unaligned checkpoints under back-pressure", () => {
  it("an aligned checkpoint waits until the slow stage took in every record emitted before the barrier", { timeout: 120_000 }, async () => {
    const { out, stats, taken } = await run(false);
    assert.deepEqual(committedLines(out), expectedLines(EVENTS, KEYS).sort());
    assert.ok(stats.length >= 2, `${stats.length} checkpoints completed`);
    for (const s of stats) {
      assert.equal(taken.get("slow")!.get(s.id), taken.get("count")!.get(s.id), `checkpoint ${s.id}: the slow stage snapshotted after every record before the barrier`);
      assert.equal(inFlight(s), 0);
    }
  });

  it("an unaligned checkpoint overtakes the queued records, stores them, and still commits each record once", { timeout: 120_000 }, async () => {
    const { out, stats, taken } = await run(true);
    assert.deepEqual(committedLines(out), expectedLines(EVENTS, KEYS).sort());
    assert.ok(stats.some((s) => inFlight(s) > 0), "some checkpoint stored records in flight");
    // Records queued at the count's own inputs (from a source whose barrier came later) say nothing of the slow stage.
    const overtaking = stats.filter((s) => inFlightAtSlowStage(s) > 0);
    assert.ok(overtaking.length > 0, "some checkpoint stored records in flight at the slow stage");
    for (const s of overtaking) {
      const slow = taken.get("slow")!.get(s.id)!;
      const count = taken.get("count")!.get(s.id)!;
      assert.ok(slow < count, `checkpoint ${s.id}: the slow stage snapshotted with ${count - slow} records of the count's still in flight`);
    }
    const final = stats.at(-1)!;
    assert.equal(inFlight(final), 0, "the final checkpoint, after the end of data, is aligned");
  });

  it("a restore from an unaligned checkpoint replays the records in flight before new input, exactly once", { timeout: 120_000 }, async () => {
    const root = tempDir("unaligned-restore");
    const restoredFrom: number[] = [];
    const { out, stats } = await run(true, ["--fail-at", "1500", "--fail-marker", join(root, "failed")], {
      restartStrategy: "fixed-delay:attempts=2,delay=10ms",
      onAttempt: (e) => {
        if (e.restoredCheckpointId !== undefined) restoredFrom.push(e.restoredCheckpointId);
      },
    });
    assert.ok(existsSync(join(root, "failed")), "the slow stage failed once");
    assert.equal(restoredFrom.length, 1);
    const restored = stats.find((s) => s.id === restoredFrom[0]);
    assert.ok(restored !== undefined && inFlight(restored) > 0, "the checkpoint restored held records in flight");
    assert.deepEqual(committedLines(out), expectedLines(EVENTS, KEYS).sort());
  });
});
