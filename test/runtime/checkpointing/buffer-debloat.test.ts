/**
 * Buffer debloating in a whole job: the keyed count of test/fixtures/jobs/unaligned-backpressure.ts
 * feeds a slow stage, so the channels stay full and every unaligned checkpoint stores the records
 * queued in them. With debloating each task asks for batches that hold about the target time of
 * its throughput (the slow stage's, which back-pressure passes upstream), so what checkpoints
 * store is a small part of what the same job stores with full batches; the output stays
 * exactly-once either way.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { runJob, type CheckpointStats, type RuntimeMode } from "../../../src/index.ts";
import { expectedLines } from "../../fixtures/jobs/ck-count.ts";
import { committedLines, tempDir } from "./checkpointing-helpers.ts";

const JOB = new URL("../../fixtures/jobs/unaligned-backpressure.ts", import.meta.url);
const EVENTS = 10_000;
const KEYS = 7;
const inFlight = (s: CheckpointStats): number => s.tasks.reduce((sum, t) => sum + (t.inFlightBytes ?? 0), 0);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function run(runtime: RuntimeMode, debloat: boolean) {
  const root = tempDir(debloat ? "debloat" : "bloat");
  const out = join(root, "out");
  const stats: CheckpointStats[] = [];
  await runJob(JOB, {
    runtime,
    parallelism: 2,
    maxWorkers: 2,
    bufferSize: 256,
    ...(debloat ? { bufferDebloat: true, bufferDebloatTargetMs: 50 } : {}),
    checkpointing: { intervalMs: 50, dir: join(root, "checkpoints"), unaligned: true },
    args: ["--events", String(EVENTS), "--keys", String(KEYS), "--work", "20000", "--out", out],
    onCheckpoint: (s) => stats.push(s),
  });
  assert.deepEqual(committedLines(out), expectedLines(EVENTS, KEYS).sort());
  // The first checkpoint may come before the first throughput sample; the last, after the end of data, is aligned.
  const measured = stats.filter((s) => s.status === "completed").slice(1, -1);
  assert.ok(measured.length >= 1, `${measured.length} checkpoints measured`);
  // The later half: by then the batch sizes settled.
  return median(measured.slice(Math.floor(measured.length / 2)).map(inFlight));
}

describe("buffer debloating", () => {
  for (const runtime of ["single-thread", "threads"] as const) {
    it(`shrinks the records in flight that unaligned checkpoints store behind a slow stage (${runtime})`, { timeout: 180_000 }, async () => {
      const bloated = await run(runtime, false);
      const debloated = await run(runtime, true);
      assert.ok(bloated > 0, "with full batches the checkpoints stored records in flight");
      assert.ok(debloated * 2 < bloated, `debloated checkpoints stored ${debloated} bytes in flight (median), full batches ${bloated}`);
    });
  }
});
