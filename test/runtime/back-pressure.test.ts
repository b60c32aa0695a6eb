/**
 * Credit-based flow control bounds what a fast producer can have in flight to a slow consumer.
 * The job (test/fixtures/jobs/rt-backpressure.ts) measures in-flight records from the source's
 * side; the single-thread run is also sampled through RunOptions.onProgress, whose per-operator
 * counts are taken at one instant there. (On worker threads each worker reports its own counts
 * at its own moments, so a difference of two reports says little; the job's own measure is used.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, type JobProgress, type RunOptions } from "../../src/index.ts";
import { CHANNEL_CREDITS } from "../../src/runtime/deployment.ts";
import { SINK_PARALLELISM, type InFlightReport } from "../fixtures/jobs/rt-backpressure.ts";
import { fixtureJob, tempDir } from "./job-fixtures.ts";

const BUFFER_SIZE = 16;
const FANOUT = 8;
const SEEDS = 2500;
const EVERY = 16;

/**
 * The most records that can sit between the source task and the sinks, per channel: the batches
 * the consumer granted credit for (in transit or queued at the consumer), the batches one source
 * step can push into the backlog (a step runs only when the backlog is empty) plus one flushed by
 * the buffer timeout, and a partly filled buffer.
 */
const BATCHES_PER_STEP = Math.ceil((BUFFER_SIZE * FANOUT) / SINK_PARALLELISM / BUFFER_SIZE);
const BOUND = SINK_PARALLELISM * (CHANNEL_CREDITS + BATCHES_PER_STEP + 2) * BUFFER_SIZE;
/** The sinks publish their counts every EVERY records, so the source may see that many fewer per sink. */
const MEASURE_SLACK = SINK_PARALLELISM * EVERY;

async function measure(options: RunOptions): Promise<InFlightReport> {
  const dir = tempDir("back-pressure");
  await runJob(fixtureJob("rt-backpressure"), {
    ...options,
    bufferSize: BUFFER_SIZE,
    args: ["--dir", dir, "--seeds", String(SEEDS), "--fanout", String(FANOUT), "--every", String(EVERY), "--work", "2000"],
  });
  return JSON.parse(readFileSync(join(dir, "in-flight.json"), "utf8")) as InFlightReport;
}

/** Records that fill every channel's credit: a producer that got this far ahead was held back by credit. */
const CREDIT_WORTH = SINK_PARALLELISM * CHANNEL_CREDITS * BUFFER_SIZE;

describe("back-pressure", () => {
  for (const runtime of ["single-thread", "threads"] as const) {
    it(`a slow sink bounds what a fast source has in flight to the channels' credits (${runtime})`, { timeout: 60_000 }, async () => {
      const report = await measure({ runtime, parallelism: 2, maxWorkers: 2 });
      assert.equal(report.emitted, SEEDS * FANOUT);
      assert.ok(report.samples >= SEEDS / BUFFER_SIZE, `the source measured after each poll (${report.samples} samples)`);
      assert.ok(report.maxInFlight <= BOUND + MEASURE_SLACK, `${report.maxInFlight} records were in flight at once, above the bound ${BOUND} + ${MEASURE_SLACK}`);
      // Without these two, the bound would hold for a sink fast enough never to fall behind.
      assert.ok(report.maxInFlight >= CREDIT_WORTH, `only ${report.maxInFlight} records were ever in flight: the sink never fell ${CREDIT_WORTH} behind, so nothing held the source back`);
      assert.ok(report.emitted >= 40 * report.maxInFlight, `${report.maxInFlight} in flight is not small against the ${report.emitted} records moved`);
    });
  }
  it("progress reports of a single-thread run never show more in flight than the bound", { timeout: 60_000 }, async () => {
    const samples: JobProgress[] = [];
    await measure({ runtime: "single-thread", parallelism: 2, progressIntervalMs: 1, onProgress: (p) => samples.push(p) });
    assert.ok(samples.length > 0, "progress was reported while the job ran");
    let max = 0;
    for (const p of samples) {
      const emitted = p.operators.find((o) => o.name === "fan out")!.recordsOut;
      const consumed = p.operators.find((o) => o.name === "slow sink")!.recordsIn;
      max = Math.max(max, emitted - consumed);
    }
    assert.ok(max <= BOUND, `${max} records were in flight at once, above the bound ${BOUND}`);
  });
});
